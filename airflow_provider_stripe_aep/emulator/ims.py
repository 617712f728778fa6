"""Adobe IMS OAuth Server-to-Server token endpoint (reference §1.1)."""

from __future__ import annotations

import re
import secrets
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request

from airflow_provider_stripe_aep.emulator.errors import ims_error
from airflow_provider_stripe_aep.emulator.gateway import emulator_state

router = APIRouter()
_SCOPE = re.compile(r"^[A-Za-z0-9_.:/-]+$")


@router.post("/ims/token/v3")
async def issue_token(request: Request) -> dict[str, Any]:
    state = emulator_state(request)
    fields = dict(parse_qsl(request.url.query))
    raw = await request.body()
    if raw:
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/x-www-form-urlencoded":
            raise ims_error("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        fields.update(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
    grant_type = fields.get("grant_type", "")
    if not grant_type:
        raise ims_error("invalid_request", "grant_type parameter is missing")
    if grant_type != "client_credentials":
        raise ims_error("unsupported_grant_type", f"unsupported grant_type {grant_type}")
    client_id = fields.get("client_id", "")
    if not client_id:
        raise ims_error("invalid_request", "client_id parameter is missing")
    client_secret = fields.get("client_secret", "")
    if not client_secret:
        raise ims_error("invalid_request", "client_secret parameter is missing")
    expected = state.config.client_secret
    if expected is not None and not secrets.compare_digest(client_secret, expected):
        raise ims_error("invalid_client", "invalid client_secret parameter")
    scope = fields.get("scope")
    if scope is None:
        raise ims_error("invalid_request", "scope parameter is missing")
    scopes = [s.strip() for s in scope.split(",")]
    if not scope.strip() or not all(_SCOPE.match(s) for s in scopes):
        raise ims_error("invalid_scope", "invalid scope")
    token = "emu." + secrets.token_urlsafe(48)
    state.issue_token(token, client_id)
    return {"access_token": token, "token_type": "bearer", "expires_in": state.config.token_ttl}
