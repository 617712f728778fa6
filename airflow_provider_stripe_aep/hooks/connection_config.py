"""Turn an Airflow connection of type `adobe_experience_platform` into an AEPClientConfig."""

from __future__ import annotations

import json
from typing import Any

from airflow_provider_stripe_aep.client.config import (
    DEFAULT_BASE_URL,
    DEFAULT_IMS_TOKEN_URL,
    DEFAULT_SANDBOX,
    DEFAULT_SCOPES,
    DEFAULT_TIMEOUT,
    AEPClientConfig,
    RetryPolicy,
)
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    validate_org_id,
    validate_sandbox,
    validate_scopes,
    validate_url,
)

CONN_TYPE = "adobe_experience_platform"
RETRY_EXTRAS = ("max_attempts", "backoff_base", "backoff_max", "max_retry_after", "total_timeout")


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
            "<not shown>",
            'must be a JSON object such as {"org_id": "ABC123@AdobeOrg"}',
            hint="it is not valid JSON",
        ) from None
    if not isinstance(parsed, dict):
        raise InvalidInputError("extra", "<not shown>", "must be a JSON object")
    return parsed


def _get(extras: dict[str, Any], key: str) -> Any:
    """Plain keys, or Airflow 2's prefixed form-widget keys."""
    value = extras.get(key)
    if value in (None, ""):
        value = extras.get(f"extra__{CONN_TYPE}__{key}")
    return None if value == "" else value


def _prefix(conn_id: str, exc: InvalidInputError) -> InvalidInputError:
    """The same error, its message naming the connection."""
    exc.args = (f"Connection {conn_id!r}: {exc.args[0]}",)
    return exc


def build_client_config(
    *,
    conn_id: str,
    host: str | None,
    login: str | None,
    password: str | None,
    extra: Any,
    retry_overrides: dict[str, Any] | None = None,
) -> AEPClientConfig:
    """Validate every field and build the client settings; no HTTP call is made."""
    try:
        extras = _extra_dict(extra)
        if not login:
            raise InvalidInputError(
                "login",
                login,
                "must be the client ID of an Adobe Developer Console OAuth Server-to-Server "
                "credential (sent as x-api-key)",
            )
        org_id = _get(extras, "org_id")
        if org_id is None:
            raise InvalidInputError(
                "org_id", None, "the extra is required: an IMS org ID such as 'ABC123@AdobeOrg'"
            )
        base_url = host or DEFAULT_BASE_URL
        if "://" not in base_url:
            base_url = f"https://{base_url}"
        access_token = _get(extras, "access_token")
        if not password and not access_token:
            raise InvalidInputError(
                "password",
                "",
                "the client secret is required unless the 'access_token' extra is set",
                secret=True,
            )
        retry_kwargs = {k: float(v) for k in RETRY_EXTRAS if (v := _get(extras, k)) is not None}
        retry_kwargs.update(retry_overrides or {})
        if "max_attempts" in retry_kwargs:
            retry_kwargs["max_attempts"] = int(retry_kwargs["max_attempts"])
        verify: bool | str = True
        ca_bundle = _get(extras, "ca_bundle")
        if ca_bundle:
            verify = str(ca_bundle)
        return AEPClientConfig(
            name=conn_id,
            client_id=login,
            client_secret=password or None,
            org_id=validate_org_id(org_id),
            base_url=validate_url(base_url.rstrip("/"), field="host"),
            sandbox=validate_sandbox(_get(extras, "sandbox") or DEFAULT_SANDBOX),
            scopes=validate_scopes(_get(extras, "scopes") or DEFAULT_SCOPES),
            ims_token_url=validate_url(
                _get(extras, "ims_token_url") or DEFAULT_IMS_TOKEN_URL, field="ims_token_url"
            ),
            access_token=access_token,
            timeout=float(_get(extras, "timeout") or DEFAULT_TIMEOUT),
            verify=verify,
            retry=RetryPolicy(**retry_kwargs),  # type: ignore[arg-type]
        )
    except InvalidInputError as exc:
        raise _prefix(conn_id, exc) from None
    except (TypeError, ValueError) as exc:
        raise _prefix(
            conn_id,
            InvalidInputError(
                "extra", "<not shown>", "retry and timeout settings must be numbers", hint=str(exc)
            ),
        ) from None
