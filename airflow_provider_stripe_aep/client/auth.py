"""IMS OAuth server-to-server tokens: minted once, reused until shortly before they expire."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

import requests

from airflow_provider_stripe_aep.client.config import AEPClientConfig
from airflow_provider_stripe_aep.client.errors import AEPAuthError, AEPError

log = logging.getLogger(__name__)

REFRESH_MARGIN_SECONDS = 300
"""Renew this long before expiry, so a token never lapses during a call."""


class TokenProvider:
    """Hands out a bearer token, minting one from IMS only when needed.

    `on_secret` is called with every token minted, so the caller can register it with a log masker.
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
        self._lock = threading.Lock()
        self._token: str | None = config.access_token
        self._expires_at: float = float("inf") if config.access_token else 0.0

    @property
    def can_refresh(self) -> bool:
        return not self._config.access_token

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                self._mint()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token (after a 401), so the next call mints a new one."""
        with self._lock:
            if self.can_refresh:
                self._token = None
                self._expires_at = 0.0

    def _mint(self) -> None:
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
        self._on_secret(token)
        expires_in = float(body.get("expires_in") or 0)
        # `expires_in` is seconds for OAuth S2S; leave a margin, but never a negative lifetime.
        lifetime = max(expires_in - REFRESH_MARGIN_SECONDS, expires_in / 2)
        self._token = token
        self._expires_at = self._clock() + lifetime
        log.info("Got an IMS access token for connection %r, valid %.0f s", cfg.name, expires_in)

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
