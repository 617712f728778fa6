"""Helpers of the emulator tests: an HTTP client with the platform headers, and request bodies."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import quote

import requests

from airflow_provider_stripe_aep.emulator import EmulatorServer
from airflow_provider_stripe_aep.resources.platform import (
    DATA_LAKE_CONNECTION_SPEC_ID,
    PROFILE_CLASS_ID,
    REST_FLOW_SPEC_ID,
)
from airflow_provider_stripe_aep.sources.stripe import STRIPE_CONNECTION_SPEC_ID

TENANT = "emulatortenant"
ORG = "EMULATORORG@AdobeOrg"
CLIENT_ID = "test-client-id"
INT = {"type": "integer", "minimum": -9007199254740992, "maximum": 9007199254740991}
XED_FULL = "application/vnd.adobe.xed-full+json; version=1"


class Aep:
    """A thin test client: mints a token, sends the platform headers, prefixes the service paths."""

    def __init__(self, server: EmulatorServer, client_id: str = CLIENT_ID, sandbox: str = "prod") -> None:
        self.server = server
        self.url = server.url
        self.client_id = client_id
        self.sandbox = sandbox
        self.session = requests.Session()
        self.token = self.mint_token()

    def mint_token(self) -> str:
        response = requests.post(
            f"{self.url}/ims/token/v3",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": "test-secret",
                "scope": "openid,AdobeID,read_organizations",
            },
            timeout=5,
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def headers(self, **extra: str) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "x-api-key": self.client_id,
            "x-gw-ims-org-id": ORG,
            "x-sandbox-name": self.sandbox,
        }
        headers.update(extra)
        return headers

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 5)
        return self.session.request(
            method, f"{self.url}/data/foundation{path}", headers=headers or self.headers(), **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", 5)
        return requests.request(method, f"{self.url}/_emulator{path}", **kwargs)

    # -- resource builders (the happy path of the Stripe tutorial) ---------------------------------
    def base_connection(self, name: str = "Stripe base connection") -> str:
        response = self.post("/flowservice/connections", json=base_connection_body(name))
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def source_connection(self, base_id: str, resource_path: str = "charges", name: str | None = None) -> str:
        response = self.post(
            "/flowservice/sourceConnections", json=source_connection_body(base_id, resource_path, name)
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def field_group(self, title: str = "Stripe Charges", fields: dict[str, Any] | None = None) -> str:
        response = self.post("/schemaregistry/tenant/fieldgroups", json=field_group_body(title, fields))
        assert response.status_code == 201, response.text
        return str(response.json()["$id"])

    def schema(self, field_group_id: str, title: str = "Stripe Charges Schema") -> str:
        response = self.post("/schemaregistry/tenant/schemas", json=schema_body(title, field_group_id))
        assert response.status_code == 201, response.text
        return str(response.json()["$id"])

    def dataset(self, schema_id: str, name: str = "Stripe charges dataset") -> str:
        response = self.post(
            "/catalog/dataSets",
            params={"requestDataSource": "true"},
            json={"name": name, "schemaRef": {"id": schema_id, "contentType": XED_FULL}},
        )
        assert response.status_code == 201, response.text
        return str(response.json()[0].split("/")[-1])

    def target_connection(self, schema_id: str, dataset_id: str, name: str = "Stripe target") -> str:
        response = self.post(
            "/flowservice/targetConnections", json=target_connection_body(schema_id, dataset_id, name)
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def mapping_set(self, schema_id: str, resource_path: str = "charges") -> str:
        response = self.post("/conversion/mappingSets", json=legacy_mapping_body(schema_id, resource_path))
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def onboard(self, resource_path: str = "charges", **schedule: Any) -> dict[str, str]:
        """Create every resource of the Stripe tutorial up to (and including) the flow."""
        ids: dict[str, str] = {"base": self.base_connection(f"base {resource_path}")}
        ids["source"] = self.source_connection(ids["base"], resource_path)
        ids["field_group"] = self.field_group(f"Stripe {resource_path}")
        ids["schema"] = self.schema(ids["field_group"], f"Stripe {resource_path} schema")
        ids["dataset"] = self.dataset(ids["schema"], f"Stripe {resource_path} dataset")
        ids["target"] = self.target_connection(ids["schema"], ids["dataset"])
        ids["mapping"] = self.mapping_set(ids["schema"], resource_path)
        body = flow_body(ids, **schedule)
        response = self.post("/flowservice/flows", json=body)
        assert response.status_code == 201, response.text
        ids["flow"] = response.json()["id"]
        return ids

    def once_flow(self, resource_path: str = "charges") -> dict[str, str]:
        """`onboard` with a flow scheduled `once`, an hour from now: it runs only on demand."""
        return self.onboard(resource_path, startTime=str(int(time.time()) + 3600), frequency="once")

    def finished_run(self, flow_id: str) -> dict[str, Any]:
        """An on-demand run of the flow (the tutorial's window), once it has ended."""
        window = {"startTime": "1663735590", "windowStartTime": "1651584991", "windowEndTime": "1651585956"}
        created = self.post("/flowservice/runs", json={"flowId": flow_id, "params": window})
        run_id = created.json()["items"][0]["id"]

        def done() -> dict[str, Any] | None:
            run: dict[str, Any] = self.get(f"/flowservice/runs/{run_id}").json()["items"][0]
            return run if run["metrics"]["statusSummary"]["status"] != "inProgress" else None

        result: dict[str, Any] = wait_for(done)
        return result

    def runs(self, flow_id: str) -> list[dict[str, Any]]:
        response = self.get(
            "/flowservice/runs", params={"property": f"flowId=={flow_id}", "orderby": "-createdAt"}
        )
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


def encoded(resource_id: str) -> str:
    return quote(resource_id, safe="")


def source_params(resource_path: str) -> str:
    return base64.b64encode(
        json.dumps({"resourcePath": resource_path}, separators=(",", ":")).encode()
    ).decode()


def base_connection_body(
    name: str = "Stripe base connection", token: str = "stripe-test-key"
) -> dict[str, Any]:
    return {
        "name": name,
        "description": "Stripe base connection",
        "connectionSpec": {"id": STRIPE_CONNECTION_SPEC_ID, "version": "1.0"},
        "auth": {"specName": "OAuth2 Refresh Code", "params": {"accessToken": token}},
    }


def source_connection_body(
    base_id: str, resource_path: str = "charges", name: str | None = None
) -> dict[str, Any]:
    return {
        "name": name or f"Stripe {resource_path}",
        "baseConnectionId": base_id,
        "connectionSpec": {"id": STRIPE_CONNECTION_SPEC_ID, "version": "1.0"},
        "data": {"format": "json"},
        "params": {"resourcePath": resource_path},
    }


def charge_fields() -> dict[str, Any]:
    return {
        "charges_data": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "title": "ID"},
                "amount": dict(INT),
                "refunded": {"type": "boolean"},
                "outcome": {"type": "object", "properties": {"risk_level": {"type": "string"}}},
            },
        }
    }


def field_group_body(title: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "title": title,
        "description": "fields of a Stripe object",
        "type": "object",
        "meta:intendedToExtend": [PROFILE_CLASS_ID],
        "definitions": {
            "stripe": {
                "properties": {
                    f"_{TENANT}": {
                        "type": "object",
                        "properties": fields if fields is not None else charge_fields(),
                    }
                }
            }
        },
        "allOf": [{"$ref": "#/definitions/stripe"}],
    }


def schema_body(title: str, *refs: str, class_id: str = PROFILE_CLASS_ID) -> dict[str, Any]:
    return {
        "title": title,
        "type": "object",
        "allOf": [{"$ref": class_id}, *({"$ref": ref} for ref in refs)],
    }


def target_connection_body(schema_id: str, dataset_id: str, name: str = "Stripe target") -> dict[str, Any]:
    return {
        "name": name,
        "connectionSpec": {"id": DATA_LAKE_CONNECTION_SPEC_ID, "version": "1.0"},
        "data": {
            "format": "parquet_xdm",
            "schema": {"id": schema_id, "version": "application/vnd.adobe.xed-full+json;version=1"},
        },
        "params": {"dataSetId": dataset_id},
    }


def legacy_mapping_body(schema_id: str, resource_path: str = "charges") -> dict[str, Any]:
    """Map ``data.id`` (every Stripe resource has it) and, for charges, ``data.outcome.risk_level``:
    Flow Service refuses a mapping whose source field the flow's source does not have."""
    mappings = [
        {
            "sourceAttribute": "data.id",
            "destinationXdmPath": f"_{TENANT}.charges_data.id",
            "identity": False,
            "version": 0,
        }
    ]
    if resource_path == "charges":
        mappings.append(
            {
                "sourceAttribute": "data.outcome.risk_level",
                "destinationXdmPath": f"_{TENANT}.charges_data.outcome.risk_level",
                "identity": False,
                "version": 0,
            }
        )
    return {"version": 0, "xdmSchema": schema_id, "xdmVersion": "1.0", "mappings": mappings}


def flow_body(ids: dict[str, str], **schedule: Any) -> dict[str, Any]:
    schedule_params = schedule or {"startTime": str(int(time.time()) - 60), "frequency": "once"}
    return {
        "name": f"flow {ids['source']}",
        "flowSpec": {"id": REST_FLOW_SPEC_ID, "version": "1.0"},
        "sourceConnectionIds": [ids["source"]],
        "targetConnectionIds": [ids["target"]],
        "transformations": [
            {"name": "Mapping", "params": {"mappingId": ids["mapping"], "mappingVersion": 0}}
        ],
        "scheduleParams": schedule_params,
    }


def wait_for(predicate: Any, timeout: float = 5.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
