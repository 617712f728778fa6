"""The one place that sends requests to AEP: base URL + service prefix, headers, timeouts,
retries, token refresh and error parsing."""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import json as jsonlib
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
    AEPMalformedResponseError,
    AEPServerError,
    describe_body,
    error_from_response,
)

log = logging.getLogger(__name__)

SERVICE_PREFIXES = {
    "flowservice": "/data/foundation/flowservice",
    "schemaregistry": "/data/foundation/schemaregistry",
    "catalog": "/data/foundation/catalog",
    "conversion": "/data/foundation/conversion",
    "export": "/data/foundation/export",
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
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date); None when it is absent
    or unreadable, so the usual backoff applies."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if parsed.tzinfo is None:  # "-0000" or no zone: RFC 9110 dates are GMT
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        seconds = parsed.timestamp() - time.time()
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN, inf
        return None
    return max(0.0, seconds)


def _nothing_was_sent(exc: requests.RequestException) -> bool:
    """True when the connection was never made (refused, DNS, connect timeout): safe to resend."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


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
    expect_json: bool = False
    required: tuple[str, ...] = ()

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

        A POST is resent automatically only when AEP cannot have acted on it (429, or the
        connection was never made); any other failure after a POST was sent raises
        AEPAmbiguousError. Pass `retry_post=True` for POSTs that change nothing (validate, search).
        """
        return self._with_retries(self._call(method, service, path, params, json, headers, retry_post))[0]

    def request_json(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_post: bool = False,
        required: tuple[str, ...] = (),
    ) -> Any:
        """As `request`, and return the parsed JSON body. A 2xx answer that is not JSON or lacks a
        `required` top-level key is a malformed answer: a repeatable call is retried (bounded),
        then raises AEPMalformedResponseError; a create raises AEPAmbiguousError (it may have
        been carried out)."""
        call = self._call(method, service, path, params, json, headers, retry_post)
        call = dataclasses.replace(call, expect_json=True, required=required)
        return self._with_retries(call)[1]

    def _call(
        self,
        method: str,
        service: str,
        path: str,
        params: Any,
        json: Any,
        headers: Mapping[str, str] | None,
        retry_post: bool,
    ) -> _Call:
        method = method.upper()
        return _Call(
            method,
            self.url(service, path),
            params=params,
            json=json,
            headers=headers,
            repeatable=method in SAFE_METHODS or retry_post,
        )

    def post_form(self, url: str, form: Mapping[str, str]) -> requests.Response:
        """An unauthenticated form POST that creates nothing (the IMS token call): always repeatable."""
        return self._with_retries(_Call("POST", url, form=form, repeatable=True, authenticated=False))[0]

    def _with_retries(self, call: _Call) -> tuple[requests.Response, Any]:
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

    def _send_once(self, call: _Call) -> tuple[requests.Response, Any]:
        """The response and, when the call expects JSON, its parsed body."""
        response = self._send_authenticated(call)
        if response.ok:
            return response, self._parse_json(call, response) if call.expect_json else None
        error = error_from_response(response, service="IMS" if not call.authenticated else "AEP")
        if response.status_code not in RETRY_STATUSES:
            raise error
        if response.status_code == 429 or call.repeatable:
            raise _Retry(error, _retry_after_seconds(response))
        raise self._ambiguous(call, str(error), error)

    def _parse_json(self, call: _Call, response: requests.Response) -> Any:
        """The parsed body, or raise for a malformed answer."""
        problem = None
        try:
            body = jsonlib.loads(response.content) if response.content else None
        except ValueError:
            body = None
            problem = f"a body that is not JSON ({describe_body(response)})"
        if problem is None and body is None:
            problem = "an empty body"
        if problem is None and call.required:
            missing = [k for k in call.required if not isinstance(body, dict) or body.get(k) in (None, "")]
            if missing:
                problem = f"no {', '.join(repr(k) for k in missing)} in its body"
        if problem is None:
            return body
        message = f"AEP {call.method} {call.path} answered HTTP {response.status_code} with {problem}"
        if call.repeatable:
            raise _Retry(
                AEPMalformedResponseError(
                    message, status=response.status_code, method=call.method, path=call.path
                )
            )
        raise self._ambiguous(call, message, None, status=response.status_code)

    @staticmethod
    def _ambiguous(
        call: _Call, message: str, error: AEPError | None, status: int | None = None
    ) -> AEPAmbiguousError:
        return AEPAmbiguousError(
            f"{message} - the {call.method} may have been carried out; "
            "look the resource up before sending it again",
            status=error.status if error else status,
            code=error.code if error else None,
            title=error.title if error else None,
            detail=error.detail if error else None,
            request_id=error.request_id if error else None,
            method=call.method,
            path=call.path,
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
                timed_out=isinstance(exc, requests.Timeout),
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
