"""Flow Service: connections, source/target connections, flows, specs and runs."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any, Literal

from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.client.pagination import equals_filter, iter_flow_service

FlowResource = Literal["connections", "sourceConnections", "targetConnections", "flows"]


def encode_source_params(params: dict[str, Any]) -> str:
    """Base64 of compact JSON, as explore's `sourceParams` wants (`{"resourcePath":"charges"}`)."""
    compact = json.dumps(params, separators=(",", ":"))
    return base64.b64encode(compact.encode()).decode()


def _unwrap(body: Any) -> dict[str, Any]:
    """GET by ID answers `{"items": [{...}]}`; some answers are the object itself."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return body["items"][0] if body["items"] else {}
    return body if isinstance(body, dict) else {}


class FlowServiceAPI:
    def __init__(self, http: AEPHttpClient) -> None:
        self.http = http

    # Generic resource calls -------------------------------------------------------------------
    def create(self, resource: FlowResource, body: dict[str, Any]) -> dict[str, Any]:
        """POST → `{"id", "etag"}` (201)."""
        return self.http.request("POST", "flowservice", f"/{resource}", json=body).json()

    def get(self, resource: FlowResource, resource_id: str) -> dict[str, Any]:
        return _unwrap(self.http.request("GET", "flowservice", f"/{resource}/{resource_id}").json())

    def iter(
        self, resource: FlowResource, *filters: str, orderby: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every resource matching all `property` filters (`name==X`, `baseConnectionId==Y`)."""
        params: list[tuple[str, Any]] = [("property", f) for f in filters]
        if orderby:
            params.append(("orderby", orderby))
        return iter_flow_service(self.http, f"/{resource}", params)

    def find_by_name(self, resource: FlowResource, name: str, *filters: str) -> dict[str, Any] | None:
        """The first resource named `name`. Connections and flows filter by name on the server;
        source and target connections do not document a name filter, so `filters` narrow the
        list and the name is matched here."""
        by_name = equals_filter("name", name) if resource in ("connections", "flows") else []
        server_filters = [f for _, f in by_name] + list(filters)
        return next((item for item in self.iter(resource, *server_filters) if item.get("name") == name), None)

    def patch(
        self, resource: FlowResource, resource_id: str, ops: list[dict[str, Any]], etag: str
    ) -> dict[str, Any]:
        """JSON Patch with `If-Match` (the etag exactly as AEP returned it, quotes included)."""
        headers = {"If-Match": etag}
        return self.http.request(
            "PATCH", "flowservice", f"/{resource}/{resource_id}", json=ops, headers=headers
        ).json()

    def delete(self, resource: FlowResource, resource_id: str) -> None:
        self.http.request("DELETE", "flowservice", f"/{resource}/{resource_id}")

    # Specific calls ---------------------------------------------------------------------------
    def explore(self, connection_id: str, resource_path: str, *, preview: bool = False) -> dict[str, Any]:
        params = {
            "objectType": "rest",
            "object": "json",
            "fileType": "json",
            "preview": "true" if preview else "false",
            "sourceParams": encode_source_params({"resourcePath": resource_path}),
        }
        return self.http.request(
            "GET", "flowservice", f"/connections/{connection_id}/explore", params=params
        ).json()

    def explore_table(self, connection_id: str, path: str, *, preview: bool = False) -> dict[str, Any]:
        """The columns of one table of a table-based source (`objectType=table&object=<path>`)."""
        params = {"objectType": "table", "object": path, "preview": "true" if preview else "false"}
        return self.http.request(
            "GET", "flowservice", f"/connections/{connection_id}/explore", params=params
        ).json()

    def find_flow_spec(self, name: str) -> dict[str, Any] | None:
        body = self.http.request(
            "GET", "flowservice", "/flowSpecs", params={"property": f"name=={name}"}
        ).json()
        return next(iter(body.get("items", [])), None)

    def flow_action(self, flow_id: str, op: Literal["enable", "disable"]) -> dict[str, Any]:
        return self.http.request("POST", "flowservice", f"/flows/{flow_id}/action", params={"op": op}).json()

    def iter_runs(self, flow_id: str) -> Iterator[dict[str, Any]]:
        """The flow's runs, newest first."""
        return iter_flow_service(
            self.http, "/runs", [("property", f"flowId=={flow_id}"), ("orderby", "-createdAt")]
        )

    def latest_run(self, flow_id: str) -> dict[str, Any] | None:
        return next(self.iter_runs(flow_id), None)
