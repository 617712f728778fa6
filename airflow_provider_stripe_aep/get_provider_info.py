"""Provider metadata read by Airflow's providers manager, and the connection forms built from it."""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.client.defaults import (
    DEFAULT_BASE_URL,
    DEFAULT_IMS_TOKEN_URL,
    DEFAULT_SANDBOX,
    DEFAULT_SCOPES,
    IMS_TOKEN_PATH,
)

VERSION = "0.1.0"
"""The package's version, written only here: pyproject.toml reads it (`[tool.setuptools.dynamic]`)."""
PROJECT_URL = "https://github.com/airflow-provider-stripe-aep/airflow-provider-stripe-aep"
"""The project's home; also in pyproject's `[project.urls]` (a test keeps the two equal)."""
DOCUMENTATION_URL = f"{PROJECT_URL}#readme"

PACKAGE = "airflow_provider_stripe_aep"
AEP_HOOK = f"{PACKAGE}.hooks.aep.AdobeExperiencePlatformHook"
STRIPE_HOOK = f"{PACKAGE}.hooks.stripe.StripeHook"
AEP = "Adobe Experience Platform"
STRIPE = "Stripe"

INTEGRATIONS: list[dict[str, Any]] = [
    {
        "integration-name": AEP,
        "external-doc-url": "https://experienceleague.adobe.com/en/docs/experience-platform/sources/home",
        "tags": ["service"],
    },
    {
        "integration-name": STRIPE,
        "external-doc-url": "https://docs.stripe.com/api",
        "tags": ["service"],
    },
]
#: Kind -> integration -> the modules (under the package) that define classes of that kind.
MODULES: dict[str, dict[str, list[str]]] = {
    "hooks": {AEP: ["hooks.aep"], STRIPE: ["hooks.stripe"]},
    "operators": {
        AEP: [
            "operators.base",
            "operators.checks",
            "operators.connections",
            "operators.dataflow",
            "operators.dataflow_run",
            "operators.health",
            "operators.lifecycle",
            "operators.mapping",
            "operators.plan",
            "operators.schema",
        ]
    },
    "sensors": {AEP: ["sensors.dataflow_run"]},
    # triggers.dataflow_run_events (the AssetWatcher trigger) imports on Airflow 3 only.
    "triggers": {AEP: ["triggers.dataflow_run", "triggers.dataflow_run_events"]},
}


def _text(label: str, description: str, default: str | None = None, secret: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if default is not None:
        schema["default"] = default
    if secret:
        schema["format"] = "password"
    return {"label": label, "description": description, "schema": schema}


AEP_CONN_FIELDS: dict[str, Any] = {
    "org_id": _text(
        "IMS org ID",
        "Required. Your IMS organization ID, e.g. ABC123@AdobeOrg (Developer Console: project > "
        "OAuth Server-to-Server credential).",
    ),
    "sandbox": _text("Sandbox", f"Sandbox name, all lowercase. Default: {DEFAULT_SANDBOX}.", DEFAULT_SANDBOX),
    "scopes": _text(
        "Scopes",
        "Comma-separated scopes of the OAuth Server-to-Server credential, as the Developer Console "
        f"lists them. Default: {DEFAULT_SCOPES}.",
    ),
    # Not `ims_token_url` (still read): Airflow masks every extra whose name contains "token".
    "ims_endpoint": _text(
        "IMS endpoint",
        f"IMS token endpoint. Default: {DEFAULT_IMS_TOKEN_URL} (with a loopback platform URL such as "
        f"the bundled emulator: the platform URL + {IMS_TOKEN_PATH}).",
    ),
    "access_token": _text(
        "Access token", "Optional ready-made bearer token; when set, no IMS call is made.", secret=True
    ),
}
"""The AEP form's extra fields. Airflow 3 shows label and description (not placeholders), so defaults
and examples are in the descriptions."""


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
        "documentation-url": DOCUMENTATION_URL,
        "integrations": INTEGRATIONS,
        **{
            kind: [
                {"integration-name": name, "python-modules": [f"{PACKAGE}.{m}" for m in modules]}
                for name, modules in by_integration.items()
            ]
            for kind, by_integration in MODULES.items()
        },
        # Operator extra links must be registered to survive DAG serialization (webserver/API server).
        "extra-links": [
            "airflow_provider_stripe_aep.links.AEPDataflowLink",
            "airflow_provider_stripe_aep.links.AEPDataflowRunLink",
        ],
        "connection-types": [
            {
                "connection-type": "adobe_experience_platform",
                "hook-class-name": AEP_HOOK,
                "hook-name": AEP,
                "conn-fields": AEP_CONN_FIELDS,
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port"],
                    "relabeling": {"host": "Platform URL", "login": "Client ID", "password": "Client secret"},
                    "placeholders": {
                        "host": DEFAULT_BASE_URL,
                        "login": "Client ID (API key) of the OAuth Server-to-Server credential",
                        "password": "Client secret",
                        "org_id": "ABC123@AdobeOrg",
                        "scopes": DEFAULT_SCOPES,
                    },
                },
            },
            {
                "connection-type": "stripe",
                "hook-class-name": STRIPE_HOOK,
                "hook-name": STRIPE,
                "ui-field-behaviour": {
                    "hidden-fields": ["host", "schema", "port", "login", "extra"],
                    "relabeling": {"password": "Stripe secret API key"},
                    "placeholders": {"password": "Dashboard > Developers > API keys"},
                },
            },
        ],
    }
