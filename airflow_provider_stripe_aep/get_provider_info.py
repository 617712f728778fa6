"""Provider metadata read by Airflow's providers manager, and the connection forms built from it."""

from __future__ import annotations

from typing import Any

VERSION = "0.1.0"

AEP_HOOK = "airflow_provider_stripe_aep.hooks.aep.AdobeExperiencePlatformHook"
STRIPE_HOOK = "airflow_provider_stripe_aep.hooks.stripe.StripeHook"


def _text(label: str, description: str, default: str | None = None, secret: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if default is not None:
        schema["default"] = default
    if secret:
        schema["format"] = "password"
    return {"label": label, "description": description, "schema": schema}


AEP_CONN_FIELDS: dict[str, Any] = {
    "org_id": _text("IMS org ID", "Required. Your organization ID, ending in @AdobeOrg."),
    "sandbox": _text("Sandbox", "Sandbox name, all lowercase.", default="prod"),
    "scopes": _text("Scopes", "Comma-separated scopes of the OAuth Server-to-Server credential."),
    "ims_token_url": _text(
        "IMS token URL", "IMS token endpoint.", default="https://ims-na1.adobelogin.com/ims/token/v3"
    ),
    "access_token": _text(
        "Access token", "Optional ready-made bearer token; when set, no IMS call is made.", secret=True
    ),
}


def field_behaviour(connection_type: str) -> dict[str, Any]:
    """A connection type's `ui-field-behaviour`, in the form Airflow 2's `get_ui_field_behaviour` returns."""
    conn = next(c for c in get_provider_info()["connection-types"] if c["connection-type"] == connection_type)
    behaviour = conn["ui-field-behaviour"]
    return {
        "hidden_fields": behaviour["hidden-fields"],
        "relabeling": behaviour["relabeling"],
        "placeholders": behaviour["placeholders"],
    }


def get_provider_info() -> dict[str, Any]:
    """Provider metadata read by Airflow's providers manager (entry point `apache_airflow_provider`)."""
    return {
        "package-name": "airflow-provider-stripe-aep",
        "name": "Stripe to Adobe Experience Platform",
        "description": "Onboard Stripe payments data into Adobe Experience Platform (Flow Service API).",
        "versions": [VERSION],
        # Operator extra links must be registered to survive DAG serialization (webserver/API server).
        "extra-links": [
            "airflow_provider_stripe_aep.links.AEPDataflowLink",
            "airflow_provider_stripe_aep.links.AEPDataflowRunLink",
        ],
        "connection-types": [
            {
                "connection-type": "adobe_experience_platform",
                "hook-class-name": AEP_HOOK,
                "hook-name": "Adobe Experience Platform",
                "conn-fields": AEP_CONN_FIELDS,
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port"],
                    "relabeling": {"host": "Platform URL", "login": "Client ID", "password": "Client secret"},
                    "placeholders": {
                        "host": "https://platform.adobe.io",
                        "login": "Client ID (API key) of the OAuth Server-to-Server credential",
                        "password": "Client secret",
                        "org_id": "ABC123@AdobeOrg",
                        "scopes": "openid,AdobeID,read_organizations,additional_info.projectedProductContext",
                    },
                },
            },
            {
                "connection-type": "stripe",
                "hook-class-name": STRIPE_HOOK,
                "hook-name": "Stripe",
                "ui-field-behaviour": {
                    "hidden-fields": ["host", "schema", "port", "login", "extra"],
                    "relabeling": {"password": "Stripe secret API key"},
                    "placeholders": {"password": "Dashboard > Developers > API keys"},
                },
            },
        ],
    }
