"""Connection specs and flow specs the emulator knows (reference §2.2-§2.6, seed 004)."""

from __future__ import annotations

import copy
from typing import Any

from airflow_provider_stripe_aep.emulator.schedule import FREQUENCIES, MIN_MINUTE_INTERVAL
from airflow_provider_stripe_aep.resources.platform import DATA_LAKE_CONNECTION_SPEC_ID, REST_FLOW_SPEC_ID
from airflow_provider_stripe_aep.sources.stripe import (
    RESOURCE_PATHS,
    STRIPE_AUTH_SPEC_NAME,
    STRIPE_CONNECTION_SPEC_ID,
)

PAYPAL_CONNECTION_SPEC_ID = "221c7626-58f6-4eec-8ee2-042b0226f03b"
PAYPAL_AUTH_SPEC_NAME = "Client-Id-Secret Based Authentication"
CRM_FLOW_SPEC_ID = "14518937-270c-4525-bdec-c2ba7cce3860"
CRM_FLOW_SPEC_NAME = "CRMToAEP"
REST_FLOW_SPEC_NAME = "RestStorageToPlatform"

_DRAFT7 = "http://json-schema.org/draft-07/schema#"

_SCHEDULE_SPEC: dict[str, Any] = {
    "name": "PeriodicSchedule",
    "type": "Periodic",
    "spec": {
        "$schema": _DRAFT7,
        "type": "object",
        "properties": {
            "startTime": {"description": "epoch time", "type": "integer"},
            "frequency": {"type": "string", "enum": list(FREQUENCIES)},
            "interval": {"type": "integer"},
            "backfill": {"type": "boolean", "default": True},
        },
        "required": ["startTime", "frequency"],
        "if": {"properties": {"frequency": {"const": "minute"}}},
        "then": {"properties": {"interval": {"minimum": MIN_MINUTE_INTERVAL}}},
        "else": {"properties": {"interval": {"minimum": 1}}},
    },
}

_MAPPING_TRANSFORMATION: dict[str, Any] = {
    "name": "Mapping",
    "spec": {
        "$schema": _DRAFT7,
        "type": "object",
        "description": "defines various params required for different mapping from source to target",
        "properties": {"mappingId": {"type": "string"}, "mappingVersion": {"type": "string"}},
    },
}

CONNECTION_SPECS: dict[str, dict[str, Any]] = {
    STRIPE_CONNECTION_SPEC_ID: {
        "id": STRIPE_CONNECTION_SPEC_ID,
        "name": "Stripe",
        "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
        "version": "1.0",
        "authSpec": [
            {
                "name": STRIPE_AUTH_SPEC_NAME,
                "type": "OAuth2RefreshCode",
                "spec": {
                    "$schema": _DRAFT7,
                    "type": "object",
                    "description": "Define auth params required for connecting to Stripe.",
                    "properties": {
                        "accessToken": {
                            "type": "string",
                            "format": "password",
                            "description": "Stripe API key",
                        },
                        "clientId": {"type": "string"},
                        "clientSecret": {"type": "string", "format": "password"},
                        "refreshToken": {"type": "string", "format": "password"},
                        "expirationDate": {"type": "string"},
                        "accessTokenUrl": {"type": "string"},
                        "authorizationTestUrl": {"type": "string"},
                        "requestParameterOverride": {"type": "object"},
                    },
                    "required": ["accessToken"],
                },
            }
        ],
        "sourceSpec": {
            "attributes": {
                "category": {"key": "payments"},
                "uiAttributes": {"isBeta": True, "label": "Stripe"},
            },
            "spec": {
                "$schema": _DRAFT7,
                "type": "object",
                "properties": {"resourcePath": {"type": "string", "enum": list(RESOURCE_PATHS)}},
                "required": ["resourcePath"],
            },
        },
        "exploreSpec": {"name": "Resource", "type": "Resource", "requestSpec": {}, "responseSpec": {}},
        "attributes": {"isSource": True, "isPreview": False, "category": "payments"},
        "permittedScopes": ["sandbox", "organization"],
    },
    PAYPAL_CONNECTION_SPEC_ID: {
        "id": PAYPAL_CONNECTION_SPEC_ID,
        "name": "PayPal",
        "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
        "version": "1.0",
        "authSpec": [
            {
                "name": PAYPAL_AUTH_SPEC_NAME,
                "type": "ClientIdSecret",
                "spec": {
                    "$schema": _DRAFT7,
                    "type": "object",
                    "properties": {
                        "host": {
                            "type": "string",
                            "description": "PayPal instance, e.g. api.sandbox.paypal.com",
                        },
                        "clientId": {"type": "string"},
                        "clientSecret": {"type": "string", "format": "password"},
                    },
                    "required": ["host", "clientId", "clientSecret"],
                },
            }
        ],
        "sourceSpec": {
            "attributes": {"category": {"key": "payments"}, "uiAttributes": {"label": "PayPal"}},
            "spec": {
                "$schema": _DRAFT7,
                "type": "object",
                "properties": {"path": {"type": "string"}},
                "required": ["path"],
            },
        },
        "exploreSpec": {"name": "Table", "type": "Table"},
        "attributes": {"isSource": True, "category": "payments", "isTableBased": True},
        "permittedScopes": ["sandbox", "organization"],
    },
    DATA_LAKE_CONNECTION_SPEC_ID: {
        "id": DATA_LAKE_CONNECTION_SPEC_ID,
        "name": "Data Lake",
        "providerId": "521eee4d-8cbe-4906-bb48-fb6bd4450033",
        "version": "1.0",
        "authSpec": [],
        "targetSpec": {
            "spec": {
                "$schema": _DRAFT7,
                "type": "object",
                "properties": {"dataSetId": {"type": "string"}},
                "required": ["dataSetId"],
            }
        },
        "attributes": {"isDestination": False, "isTarget": True},
        "permittedScopes": ["sandbox"],
    },
}

FLOW_SPECS: dict[str, dict[str, Any]] = {
    REST_FLOW_SPEC_ID: {
        "id": REST_FLOW_SPEC_ID,
        "name": REST_FLOW_SPEC_NAME,
        "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
        "version": "1.0",
        "sourceConnectionSpecIds": [STRIPE_CONNECTION_SPEC_ID],
        "targetConnectionSpecIds": [DATA_LAKE_CONNECTION_SPEC_ID],
        "transformationSpecs": [copy.deepcopy(_MAPPING_TRANSFORMATION)],
        "scheduleSpec": copy.deepcopy(_SCHEDULE_SPEC),
        "optionSpec": {
            "name": "OptionSpec",
            "spec": {
                "$schema": _DRAFT7,
                "type": "object",
                "properties": {
                    "errorDiagnosticsEnabled": {"type": "boolean", "default": False},
                    "partialIngestionPercent": {"type": "number", "exclusiveMinimum": 0},
                },
            },
        },
        "attributes": {"isSourceFlow": True},
    },
    CRM_FLOW_SPEC_ID: {
        "id": CRM_FLOW_SPEC_ID,
        "name": CRM_FLOW_SPEC_NAME,
        "providerId": "0ed90a81-07f4-4586-8190-b40eccef1c5a",
        "version": "1.0",
        "sourceConnectionSpecIds": [PAYPAL_CONNECTION_SPEC_ID],
        "targetConnectionSpecIds": [DATA_LAKE_CONNECTION_SPEC_ID],
        "transformationSpecs": [
            {
                "name": "Copy",
                "spec": {
                    "$schema": _DRAFT7,
                    "type": "object",
                    "properties": {
                        "deltaColumn": {
                            "type": "object",
                            "properties": {
                                "name": {"type": "string"},
                                "dateFormat": {"type": "string"},
                                "timezone": {"type": "string"},
                            },
                            "required": ["name"],
                        }
                    },
                    "required": ["deltaColumn"],
                },
            },
            copy.deepcopy(_MAPPING_TRANSFORMATION),
        ],
        "scheduleSpec": copy.deepcopy(_SCHEDULE_SPEC),
        "attributes": {"isSourceFlow": True},
    },
}


def secret_params(spec_id: str, spec_name: str) -> frozenset[str]:
    """Names of the auth params a connection spec marks as secret (``format: password``)."""
    for auth in CONNECTION_SPECS.get(spec_id, {}).get("authSpec", []):
        if auth["name"] == spec_name:
            props = auth["spec"].get("properties", {})
            return frozenset(k for k, v in props.items() if v.get("format") == "password")
    return frozenset()
