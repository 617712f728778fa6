"""The one place that sends requests to AEP: base URL + service prefix, headers, timeouts,
retries, token refresh and error parsing."""

from __future__ import annotations

import email.utils
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import requests
import tenacity
from urllib3.exceptions import NewConnectionError

from airflow_provider_stripe_aep.client.auth import TokenProvider
from airflow_provider_stripe_aep.client.config import AEPClientConfig, RetryPolicy
from airflow_provider_stripe_aep.client.errors import (
    AEPAmbiguousError,
    AEPError,
    AEPServerError,
    error_from_response,
)

log = logging.getLogger(__name__)

SERVICE_PREFIXES = {
    "flowservice": "/data/foundation/flowservice",
    "schemaregistry": "/data/foundation/schemaregistry",
    "catalog": "/data/foundation/catalog",
    "conversion": "/data/foundation/conversion",
}
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods that may be repeated: reads, and the idempotent PUT and DELETE."""


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, error: AEPError, retry_after: float | None = None) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _nothing_was_sent(exc: requests.RequestException) -> bool:
    """True when the connection was never made (refused, DNS, connect timeout): safe to resend."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def _said_nothing_was_done(response: requests.Response) -> bool:
    """A 5xx on a POST is retried only when the service says it did not act: 503 Service
    Unavailable (`FLOW-1103-503`) is refused before any work; 500/502/504 may have acted."""
    return response.status_code == 503


def backoff_seconds(policy: RetryPolicy, attempt_number: int, retry_after: float | None) -> float:
    """How long to wait after failed attempt `attempt_number` (1-based): the server's Retry-After
    (capped), else exponential backoff with full jitter. Shared by the sync and async senders."""
    if retry_after is not None:
        return min(retry_after, policy.max_retry_after)
    exponential = policy.backoff_base * (2 ** (attempt_number - 1))
    return random.uniform(0, min(exponential, policy.backoff_max))  # noqa: S311 - jitter, not crypto


@dataclass(frozen=True)
class _Call:
    """One logical request, as sent on every attempt."""

    method: str
    url: str
    params: Any = None
    json: Any = None
    form: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None
    repeatable: bool = False
    authenticated: bool = True

    @property
    def path(self) -> str:
        return urlparse(self.url).path


class AEPHttpClient:
    """Sends authenticated requests to the platform (and token requests to IMS) with bounded retries."""

    def __init__(
        self,
        config: AEPClientConfig,
        *,
        session: requests.Session | None = None,
        on_secret: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.tokens = TokenProvider(config, self.post_form, on_secret=on_secret)
        self._sleep = sleep or time.sleep

    def __repr__(self) -> str:
        return f"AEPHttpClient(base_url={self.config.base_url!r}, sandbox={self.config.sandbox!r})"

    def url(self, service: str, path: str) -> str:
        return self.config.base_url.rstrip("/") + SERVICE_PREFIXES[service] + path

    def request(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_post: bool = False,
    ) -> requests.Response:
        """Send one logical platform request and return its 2xx response, or raise an AEPError.

        POSTs are resent automatically only when AEP cannot have acted on them; pass
        `retry_post=True` for POSTs that change nothing (validate, search).
        """
        method = method.upper()
        call = _Call(
            method,
            self.url(service, path),
            params=params,
            json=json,
            headers=headers,
            repeatable=method in SAFE_METHODS or retry_post,
        )
        return self._with_retries(call)

    def post_form(self, url: str, form: Mapping[str, str]) -> requests.Response:
        """An unauthenticated form POST that creates nothing (the IMS token call): always repeatable."""
        return self._with_retries(_Call("POST", url, form=form, repeatable=True, authenticated=False))

    def _with_retries(self, call: _Call) -> requests.Response:
        policy = self.config.retry
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(policy.max_attempts)
            | tenacity.stop_after_delay(policy.total_timeout),
            wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Retry),
            sleep=self._sleep,
            reraise=True,
            before_sleep=self._log_retry,
        )
        attempts = 0
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    return self._send_once(call)
        except _Retry as exc:
            raise exc.error.with_attempts(attempts) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = exc.retry_after if isinstance(exc, _Retry) else None
        return backoff_seconds(self.config.retry, state.attempt_number, retry_after)

    @staticmethod
    def _log_retry(state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.warning("AEP call failed (attempt %d): %s; retrying in %.1f s", state.attempt_number, exc, wait)

    def prepare(self, call: _Call, token: str | None) -> dict[str, Any]:
        """What one attempt of `call` sends (method, URL, params, body, headers with the token,
        timeouts): the one place a request is described, for this sender and the async one."""
        cfg = self.config
        return {
            "method": call.method,
            "url": call.url,
            "params": call.params,
            "json": call.json,
            "data": call.form,
            "headers": self._headers(call, token),
            "timeout": (cfg.connect_timeout, cfg.timeout),
            "verify": cfg.verify,
        }

    def _headers(self, call: _Call, token: str | None) -> dict[str, str]:
        cfg = self.config
        headers = {"Accept": "application/json"}
        if call.authenticated:
            headers.update(
                {
                    "Authorization": f"Bearer {token}",
                    "x-api-key": cfg.client_id,
                    "x-gw-ims-org-id": cfg.org_id,
                    "x-sandbox-name": cfg.sandbox,
                    "x-request-id": str(uuid.uuid4()),
                }
            )
        if call.json is not None:
            headers["Content-Type"] = "application/json"
        headers.update(call.headers or {})
        return headers

    def _send_once(self, call: _Call) -> requests.Response:
        response = self._send_authenticated(call)
        if response.ok:
            return response
        error = error_from_response(response, service="IMS" if not call.authenticated else "AEP")
        if response.status_code not in RETRY_STATUSES:
            raise error
        if response.status_code == 429 or call.repeatable or _said_nothing_was_done(response):
            raise _Retry(error, _retry_after_seconds(response))
        raise AEPAmbiguousError(
            f"{error} - the {call.method} may have been carried out; "
            "look the resource up before sending it again",
            status=error.status,
            code=error.code,
            title=error.title,
            detail=error.detail,
            request_id=error.request_id,
            method=call.method,
            path=error.path,
        )

    def _send_authenticated(self, call: _Call) -> requests.Response:
        """Send; on a 401 with a token we minted, mint a new one once and send again."""
        response = self._transmit(call)
        if response.status_code == 401 and call.authenticated and self.tokens.can_refresh:
            log.info(
                "AEP answered 401 for %s %s; getting a new IMS token and trying once more",
                call.method,
                call.path,
            )
            self.tokens.invalidate()
            response = self._transmit(call)
        return response

    def _transmit(self, call: _Call) -> requests.Response:
        started = time.monotonic()
        try:
            response = self.session.request(
                **self.prepare(call, self.tokens.token() if call.authenticated else None)
            )
        except requests.RequestException as exc:
            description = f"{call.method} {call.path} failed: {type(exc).__name__}"
            if call.repeatable or _nothing_was_sent(exc):
                raise _Retry(AEPServerError(description, method=call.method, path=call.path)) from None
            raise AEPAmbiguousError(
                f"{description} after the request was sent; it may have been carried out - "
                "look the resource up before sending it again",
                method=call.method,
                path=call.path,
            ) from None
        log.debug(
            "%s %s -> %s in %.0f ms",
            call.method,
            call.path,
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response


__all__ = ["SERVICE_PREFIXES", "AEPHttpClient", "backoff_seconds"]
