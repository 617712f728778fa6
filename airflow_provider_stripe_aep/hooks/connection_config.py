"""Turn an Airflow connection of type `adobe_experience_platform` into an AEPClientConfig.

Every field is checked here, before any HTTP call, and a rejected field is named as the form labels it
and as the connection stores it: ``IMS org ID (extra org_id) 'ABC' is invalid: must end with ...``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_stripe_aep.client import defaults
from airflow_provider_stripe_aep.client.config import AEPClientConfig, RetryPolicy
from airflow_provider_stripe_aep.validation import (
    MASK,
    InvalidInputError,
    is_loopback_host,
    validate_org_id,
    validate_sandbox,
    validate_scopes,
    validate_service_url,
)

CONN_TYPE = "adobe_experience_platform"
IMS_ENDPOINT_EXTRA = "ims_endpoint"
LEGACY_IMS_EXTRA = "ims_token_url"
"""The extra's first name. Airflow masks every extra whose name contains "token" (its default list of
sensitive words), so the form showed and saved `***`; still read for connections that have it."""

RETRY_EXTRAS = ("max_attempts", "backoff_base", "backoff_max", "max_retry_after", "total_timeout")
TIMEOUT_EXTRAS = ("timeout", "connect_timeout")
KNOWN_EXTRAS = (
    "org_id",
    "sandbox",
    "scopes",
    IMS_ENDPOINT_EXTRA,
    LEGACY_IMS_EXTRA,
    "access_token",
    "ca_bundle",
    *RETRY_EXTRAS,
    *TIMEOUT_EXTRAS,
)

NOT_SHOWN = "<not shown>"

FIELD_LABELS = {
    "host": "Platform URL (host)",
    "login": "Client ID (login)",
    "password": "Client secret (password)",
    "extra": "Extra field (extra)",
    "org_id": "IMS org ID (extra org_id)",
    "sandbox": "Sandbox (extra sandbox)",
    "scopes": "Scopes (extra scopes)",
    IMS_ENDPOINT_EXTRA: f"IMS endpoint (extra {IMS_ENDPOINT_EXTRA})",
    LEGACY_IMS_EXTRA: f"IMS endpoint (extra {LEGACY_IMS_EXTRA})",
    "access_token": "Access token (extra access_token)",
}
"""How messages name each field: the form's label, then where the connection stores it."""


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, f"extra {field}")


def describe(exc: InvalidInputError) -> str:
    """One sentence for a person: the field as labelled, the value (never a secret), what is allowed."""
    label = field_label(exc.field)
    if exc.value is None or exc.value == "":
        text = f"{label} is missing: {exc.allowed}"
    elif exc.value == NOT_SHOWN:
        text = f"{label} is invalid: {exc.allowed}"
    else:
        shown = MASK if exc.secret else repr(exc.value)
        text = f"{label} {shown} is invalid: {exc.allowed}"
    if exc.hint:
        text += f" ({exc.hint})"
    return text.rstrip(".") + "."


def _extra_dict(extra: Any) -> dict[str, Any]:
    if extra in (None, ""):
        return {}
    if isinstance(extra, dict):
        return extra
    try:
        parsed = json.loads(extra)
    except ValueError:
        raise InvalidInputError(
            "extra",
            NOT_SHOWN,
            'must be a JSON object such as {"org_id": "ABC123@AdobeOrg"}',
            hint="it is not valid JSON",
        ) from None
    if not isinstance(parsed, dict):
        raise InvalidInputError("extra", NOT_SHOWN, 'must be a JSON object such as {"org_id": "..."}')
    return parsed


def _plain_key(key: str) -> str:
    prefix = f"extra__{CONN_TYPE}__"
    return key[len(prefix) :] if key.startswith(prefix) else key


def _check_known(extras: dict[str, Any]) -> None:
    """A misspelt extra would silently fall back to a default (another sandbox, say): refuse it."""
    for key in extras:
        if _plain_key(key) not in KNOWN_EXTRAS:
            raise InvalidInputError(
                "extra", key, f"each key must be one of {', '.join(KNOWN_EXTRAS)}", hint="unknown key"
            )


def _get(extras: dict[str, Any], key: str) -> Any:
    """Plain keys, or Airflow 2's prefixed form-widget keys. Empty, and Airflow's mask `***` (what a
    form saves for a field it showed masked), mean unset."""
    for name in (key, f"extra__{CONN_TYPE}__{key}"):
        value = extras.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, "", MASK):
            return value
    return None


def _number(extras: dict[str, Any], key: str, *, integer: bool = False, minimum: float = 0) -> Any:
    value = _get(extras, key)
    if value is None:
        return None
    allowed = f"must be {'a whole number' if integer else 'a number'} >= {minimum:g}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(key, value, allowed) from None
    if isinstance(value, bool) or number < minimum or (integer and not number.is_integer()):
        raise InvalidInputError(key, value, allowed)
    return int(number) if integer else number


def default_ims_endpoint(base_url: str) -> str:
    """Adobe's IMS, or, for a loopback platform (the bundled emulator), the same host's token path."""
    if is_loopback_host(urlsplit(base_url).hostname):
        return base_url.rstrip("/") + defaults.IMS_TOKEN_PATH
    return defaults.DEFAULT_IMS_TOKEN_URL


def build_client_config(
    *,
    conn_id: str | None,
    host: str | None,
    login: str | None,
    password: str | None,
    extra: Any,
    retry_overrides: dict[str, Any] | None = None,
) -> AEPClientConfig:
    """Validate every field and build the client settings; no HTTP call is made.

    A rejected field raises InvalidInputError whose message starts with ``Connection '<conn_id>': ``,
    or with nothing when `conn_id` is None (Airflow's Test button, which tests under a random ID).
    """
    try:
        return _build(conn_id or "", host, login, password, extra, retry_overrides or {})
    except InvalidInputError as exc:
        prefix = f"Connection {conn_id!r}: " if conn_id else ""
        exc.args = (prefix + describe(exc),)
        raise exc from None


def _build(
    name: str,
    host: str | None,
    login: str | None,
    password: str | None,
    extra: Any,
    retry_overrides: dict[str, Any],
) -> AEPClientConfig:
    extras = _extra_dict(extra)
    _check_known(extras)
    login = (login or "").strip()
    if not login:
        raise InvalidInputError(
            "login",
            None,
            "required, the client ID of an Adobe Developer Console OAuth Server-to-Server credential "
            "(sent as x-api-key)",
        )
    org_id = _get(extras, "org_id")
    if org_id is None:
        raise InvalidInputError("org_id", None, "required, an IMS organization ID such as 'ABC123@AdobeOrg'")
    base_url = validate_service_url((host or "").strip() or defaults.DEFAULT_BASE_URL, "host").rstrip("/")
    access_token = _get(extras, "access_token")
    if not password and not access_token:
        raise InvalidInputError("password", None, "required unless the 'access_token' extra is set")
    ims_key = IMS_ENDPOINT_EXTRA if _get(extras, IMS_ENDPOINT_EXTRA) is not None else LEGACY_IMS_EXTRA
    ims_url = _get(extras, ims_key) or default_ims_endpoint(base_url)
    retry_kwargs = {k: v for k in RETRY_EXTRAS[1:] if (v := _number(extras, k)) is not None}
    if (attempts := _number(extras, "max_attempts", integer=True, minimum=1)) is not None:
        retry_kwargs["max_attempts"] = attempts
    retry_kwargs.update(retry_overrides)
    timeouts = {k: v for k in TIMEOUT_EXTRAS if (v := _number(extras, k, minimum=0.001)) is not None}
    ca_bundle = _get(extras, "ca_bundle")
    return AEPClientConfig(
        name=name,
        client_id=login,
        client_secret=password or None,
        org_id=validate_org_id(org_id),
        base_url=base_url,
        sandbox=validate_sandbox(_get(extras, "sandbox") or defaults.DEFAULT_SANDBOX),
        scopes=validate_scopes(_get(extras, "scopes") or defaults.DEFAULT_SCOPES),
        ims_token_url=validate_service_url(ims_url, ims_key),
        access_token=access_token,
        timeout=timeouts.get("timeout", defaults.DEFAULT_TIMEOUT),
        connect_timeout=timeouts.get("connect_timeout", AEPClientConfig.connect_timeout),
        verify=str(ca_bundle) if ca_bundle else True,
        retry=_retry_policy(retry_kwargs),
    )


def _retry_policy(kwargs: dict[str, Any]) -> RetryPolicy:
    try:
        return RetryPolicy(**kwargs)
    except (TypeError, ValueError) as exc:  # from a task's retry_overrides; the extras are checked above
        raise InvalidInputError(
            "retry_overrides", kwargs, "must be RetryPolicy settings", hint=str(exc)
        ) from None
