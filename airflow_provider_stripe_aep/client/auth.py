"""IMS OAuth server-to-server tokens: minted once, reused until shortly before they expire."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import requests

from airflow_provider_stripe_aep.client.config import AEPClientConfig
from airflow_provider_stripe_aep.client.errors import AEPAuthError, parse_error_body

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
        session: requests.Session,
        *,
        on_secret: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._session = session
        self._on_secret = on_secret or (lambda _secret: None)
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = config.access_token
        self._expires_at: float = float("inf") if config.access_token else 0.0
        self.mint_count = 0

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
            response = self._session.post(
                cfg.ims_token_url,
                data=form,
                timeout=(cfg.connect_timeout, cfg.timeout),
                verify=cfg.verify,
            )
        except requests.RequestException as exc:
            raise AEPAuthError(
                f"Connection {cfg.name!r}: IMS token request to {cfg.ims_token_url} failed: "
                f"{type(exc).__name__}"
            ) from None
        if response.status_code != 200:
            raise self._ims_error(response)
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
        self.mint_count += 1
        log.info("Got an IMS access token for connection %r, valid %.0f s", cfg.name, expires_in)

    def _ims_error(self, response: requests.Response) -> AEPAuthError:
        cfg = self._config
        try:
            parsed = parse_error_body(response.json())
        except ValueError:
            parsed = {"code": None, "detail": None}
        code = parsed.get("code") or ""
        hint = {
            "invalid_client": "check the client ID (login) and client secret (password)",
            "invalid_scope": "check the 'scopes' extra against the Developer Console credential",
            "invalid_request": "check the client ID (login), client secret (password) and 'scopes' extra",
        }.get(code, "check the connection's login, password and extras")
        detail = parsed.get("detail") or ""
        return AEPAuthError(
            f"Connection {cfg.name!r}: IMS token request failed: HTTP {response.status_code} "
            f"{code} {detail}".rstrip()
            + f"; {hint}.",
            status=response.status_code,
            code=code or None,
            detail=detail or None,
        )
