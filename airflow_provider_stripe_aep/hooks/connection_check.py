"""What the connection form's Test button says: each step named, the field to check, never a secret.

Airflow tests a connection under a random ID of its own (the form's connection may not even be saved),
so these messages name fields, not the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow_provider_stripe_aep.client.config import AEPClientConfig
from airflow_provider_stripe_aep.client.errors import AEPError
from airflow_provider_stripe_aep.hooks.connection_config import build_client_config
from airflow_provider_stripe_aep.validation import InvalidInputError

STATS_PATH = "/data/foundation/schemaregistry/stats"
_PLATFORM_HINTS = {
    401: "check the client ID (login), IMS org ID (extra org_id) and scopes (extra scopes)",
    403: "check that the credential's product profile grants this sandbox, and the IMS org ID (extra org_id)",
    404: "check the platform URL (host)",
}


def describe_platform_failure(exc: AEPError, config: AEPClientConfig) -> str:
    from airflow_provider_stripe_aep.client.auth import attempts_text, failure_reason

    where = f"{config.base_url} ({exc.method or 'GET'} {exc.path or STATS_PATH})"
    reason = failure_reason(exc)
    if exc.status is None:
        return (
            f"no answer from {where} ({reason}, {attempts_text(exc)}); "
            "check the platform URL (host) and the network."
        )
    hint = _PLATFORM_HINTS.get(exc.status)
    if exc.status >= 500 or exc.status == 429:
        return f"{where} answered {reason} ({attempts_text(exc)}); try again later."
    return f"{where} answered {reason}; {hint or 'check the connection settings'}."


def check_aep_connection(conn: Any, on_secret: Callable[[str], None]) -> tuple[bool, str]:
    """Validate the fields, mint a token, read the Schema Registry's `/stats` (one cheap GET)."""
    if conn.password:
        on_secret(conn.password)
    try:
        config = build_client_config(
            conn_id=None, host=conn.host, login=conn.login, password=conn.password, extra=conn.extra
        )
    except InvalidInputError as exc:
        return False, f"Connection settings: {exc}"
    if config.access_token:
        on_secret(config.access_token)
    from airflow_provider_stripe_aep.client import AEPClient  # the HTTP stack, only when testing

    client = AEPClient(config, on_secret=on_secret)
    try:
        client.http.tokens.token()
    except AEPError as exc:
        return False, str(exc)  # `IMS token: ...`, from the token provider of an unnamed connection
    try:
        tenant = client.schemas.tenant_id()
    except AEPError as exc:
        return False, f"Platform call: {describe_platform_failure(exc, config)}"
    return True, f"Connected to sandbox {config.sandbox!r} (tenant {tenant})."


STRIPE_KEY_KINDS = {
    "sk_test_": "secret test-mode key",
    "sk_live_": "secret live-mode key",
    "rk_test_": "restricted test-mode key",
    "rk_live_": "restricted live-mode key",
}
_STRIPE_ALLOWED = (
    "must be a Stripe secret or restricted API key (sk_test_, sk_live_, rk_test_ or rk_live_...)"
)


def check_stripe_key(key: str | None) -> tuple[bool, str]:
    """Say what kind of Stripe key the connection holds, without a request and without echoing it."""
    label = "Stripe secret API key (password)"
    key = (key or "").strip()
    if not key:
        return False, f"{label} is missing: {_STRIPE_ALLOWED}, from Dashboard > Developers > API keys."
    kind = next((kind for prefix, kind in STRIPE_KEY_KINDS.items() if key.startswith(prefix)), None)
    if kind is None:
        hint = (
            " (a publishable key, pk_..., cannot read data)"
            if key.startswith("pk_")
            else " (its beginning does not match)"
        )
        return False, f"{label} is invalid: {_STRIPE_ALLOWED}{hint}."
    return True, f"{label} looks like a {kind}; no request was sent to Stripe."
