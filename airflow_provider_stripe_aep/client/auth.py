"""IMS OAuth server-to-server tokens: minted once per process and credential, reused until shortly
before they expire."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import requests

from airflow_provider_stripe_aep.client.config import AEPClientConfig
from airflow_provider_stripe_aep.client.errors import AEPAuthError, AEPError

log = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300
"""Renew this long before expiry, so a token never lapses during a call."""


@dataclass
class _Token:
    value: str
    expires_at: float


_SHARED: dict[str, _Token] = {}
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    """One lock per credential: a slow IMS call for one never holds up another."""
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(key, threading.Lock())


def clear_token_cache() -> None:
    """Forget every token this process holds (tests, credential rotation)."""
    with _LOCKS_LOCK:
        _SHARED.clear()


def _credential_key(config: AEPClientConfig) -> str:
    parts = (config.ims_token_url, config.client_id, config.scopes, config.client_secret or "")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class TokenProvider:
    """Hands out a bearer token, minting one from IMS only when needed.

    Tokens are shared by every provider in the process with the same credential, so many hooks or
    triggers (a triggerer runs many) need one IMS call, as Adobe asks clients to cache tokens.
    `on_secret` is called with every token handed out, so the caller can register it with a log masker.
    """

    def __init__(
        self,
        config: AEPClientConfig,
        post_form: Callable[[str, Mapping[str, str]], requests.Response],
        *,
        on_secret: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._post_form = post_form
        self._on_secret = on_secret or (lambda _secret: None)
        self._clock = clock
        self._key = _credential_key(config)
        self._last: str | None = None

    @property
    def can_refresh(self) -> bool:
        return not self._config.access_token

    def token(self) -> str:
        if self._config.access_token:
            return self._config.access_token
        with _lock_for(self._key):
            cached = _SHARED.get(self._key)
            if cached is None or self._clock() >= cached.expires_at:
                cached = _SHARED[self._key] = self._mint()
        if cached.value != self._last:
            self._on_secret(cached.value)
            self._last = cached.value
        return cached.value

    def invalidate(self) -> None:
        """Forget the token AEP refused (after a 401), so the next call mints a new one."""
        with _lock_for(self._key):
            cached = _SHARED.get(self._key)
            if cached is not None and cached.value == self._last:
                del _SHARED[self._key]

    def _mint(self) -> _Token:
        cfg = self._config
        if not cfg.client_secret:
            raise AEPAuthError(
                self._message(
                    "Client secret (password) is missing and no Access token (extra access_token) is set."
                )
            )
        form = {
            "grant_type": "client_credentials",
            "client_id": cfg.client_id,
            "client_secret": cfg.client_secret,
            "scope": cfg.scopes,
        }
        log.debug("Requesting an IMS access token from %s", cfg.ims_token_url)
        try:
            response = self._post_form(cfg.ims_token_url, form)
        except AEPError as exc:
            raise self._ims_error(exc) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise AEPAuthError(
                self._message(
                    f"{cfg.ims_token_url} answered 200 without an access_token; "
                    "check the IMS endpoint (extra ims_endpoint)."
                )
            )
        assert isinstance(body, dict)  # a token was found in it
        try:
            expires_in = float(body.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0.0  # unknown lifetime: use the token for this call only
        # `expires_in` is seconds for OAuth S2S; leave a margin, but never a negative lifetime.
        lifetime = max(expires_in - REFRESH_MARGIN_SECONDS, expires_in / 2)
        log.info("Got an IMS access token for connection %r, valid %.0f s", cfg.name, expires_in)
        return _Token(token, self._clock() + lifetime)

    def _message(self, what: str) -> str:
        """`Connection 'x': no IMS token: ...`, or `IMS token: ...` for an unnamed (test) connection."""
        name = self._config.name
        return f"Connection {name!r}: no IMS token: {what}" if name else f"IMS token: {what}"

    def _ims_error(self, exc: AEPError) -> AEPError:
        """IMS's own words, which field to check, and the connection's name; never the secret."""
        if is_refusal(exc):
            exc = AEPAuthError(
                str(exc),
                status=exc.status,
                code=exc.code,
                title=exc.title,
                detail=exc.detail,
                request_id=exc.request_id,
                method=exc.method,
                path=exc.path,
                attempts=exc.attempts,
            )
        exc.args = (self._message(describe_ims_failure(exc, self._config)),)
        return exc


_IMS_HINTS = {
    "invalid_client": "check the client ID (login) and client secret (password)",
    "invalid_scope": "check the scopes (extra scopes) against the Developer Console credential",
    "invalid_request": "check the client ID (login), client secret (password) and scopes (extra scopes)",
}
_GAVE_UP = re.compile(r"\s*\(gave up after \d+ attempts\)$")


def is_refusal(exc: AEPError) -> bool:
    """IMS answered and said no (4xx other than 429): retrying cannot help."""
    return exc.status is not None and 400 <= exc.status < 500 and exc.status != 429


def attempts_text(exc: AEPError) -> str:
    """`gave up after 3 attempts`, the words `AEPError.with_attempts` uses."""
    return f"gave up after {exc.attempts} attempt{'s' if exc.attempts != 1 else ''}"


def failure_reason(exc: AEPError) -> str:
    """Why a call got no answer (ConnectionError, ReadTimeout...), or what the answer said."""
    if exc.status is None:
        text = _GAVE_UP.sub("", str(exc.args[0] if exc.args else exc))
        return text.rsplit(" failed: ", 1)[-1]
    parts = [f"HTTP {exc.status}"]
    if exc.code and exc.code != str(exc.status):
        parts.append(exc.code)
    said = " - ".join(p for p in (exc.title, exc.detail) if p and p != exc.code)
    text = " ".join(parts) + (f": {said}" if said else "")
    text = text.rstrip(". ")
    return text + (f" [request-id {exc.request_id}]" if exc.request_id else "")


def describe_ims_failure(exc: AEPError, config: AEPClientConfig) -> str:
    """What went wrong with the token request, where, and what to check; no secret, no prefix chain."""
    url = config.ims_token_url
    reason = failure_reason(exc)
    if exc.status is None:
        return (
            f"no answer from {url} ({reason}, {attempts_text(exc)}); "
            "check the IMS endpoint (extra ims_endpoint) and the network."
        )
    if is_refusal(exc):
        hint = _IMS_HINTS.get(exc.code or "", _IMS_HINTS["invalid_request"])
        return f"{url} refused the token request: {reason}; {hint}."
    return f"{url} answered {reason} ({attempts_text(exc)}); IMS may be unavailable, try again later."
