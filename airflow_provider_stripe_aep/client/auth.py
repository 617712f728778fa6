"""IMS OAuth server-to-server tokens: minted once per process and credential, reused until shortly
before they expire."""

from __future__ import annotations

import hashlib
import logging
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
                f"Connection {cfg.name!r}: no client secret (password) and no access_token extra; "
                "cannot get an IMS token."
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
        body = response.json()
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise AEPAuthError(f"Connection {cfg.name!r}: IMS answered 200 without an access_token.")
        expires_in = float(body.get("expires_in") or 0)
        # `expires_in` is seconds for OAuth S2S; leave a margin, but never a negative lifetime.
        lifetime = max(expires_in - REFRESH_MARGIN_SECONDS, expires_in / 2)
        log.info("Got an IMS access token for connection %r, valid %.0f s", cfg.name, expires_in)
        return _Token(token, self._clock() + lifetime)

    def _ims_error(self, exc: AEPError) -> AEPError:
        """IMS's own words, which field to check, and the connection's name; never the secret."""
        if exc.status is not None and exc.status < 500 and exc.status != 429:
            hint = {
                "invalid_client": "check the client ID (login) and client secret (password)",
                "invalid_scope": "check the 'scopes' extra against the Developer Console credential",
                "invalid_request": "check the client ID (login), client secret (password) and 'scopes' extra",
            }.get(exc.code or "", "check the connection's login, password and extras")
            exc = AEPAuthError(
                str(exc), status=exc.status, code=exc.code, detail=exc.detail, attempts=exc.attempts
            )
            exc.args = (f"{exc.args[0]}; {hint}.",)
        exc.args = (f"Connection {self._config.name!r}: IMS token request failed: {exc.args[0]}",)
        return exc
