"""Flow Service: connections, source/target connections, flows, specs and runs."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any, Literal

from airflow_provider_stripe_aep.client.errors import (
    AEPAmbiguousError,
    AEPMalformedResponseError,
    AEPNotFoundError,
)
from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.client.pagination import equals_filter, iter_flow_service

FlowResource = Literal["connections", "sourceConnections", "targetConnections", "flows"]
LOOKUP_PAGE_SIZE = 100
"""Page size of lookups that cannot filter by name on the server (source and target connections):
Flow Service documents no default or maximum; Adobe's own client uses 20 to 100."""


def encode_source_params(params: dict[str, Any]) -> str:
    """Base64 of compact JSON, as explore's `sourceParams` wants (`{"resourcePath":"charges"}`)."""
    compact = json.dumps(params, separators=(",", ":"))
    return base64.b64encode(compact.encode()).decode()


def _unwrap(body: Any, what: str) -> dict[str, Any]:
    """GET by ID answers `{"items": [{...}]}`; some answers are the object itself."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        items = [item for item in body["items"] if isinstance(item, dict)]
        if not items:
            raise AEPNotFoundError(f"AEP GET {what} answered with no item")
        return items[0]
    if isinstance(body, dict) and body.get("id"):
        return body
    raise AEPMalformedResponseError(f"AEP GET {what} answered neither items nor an object: {body!r:.200}")


def created_run_id(answer: Any) -> str:
    """The run ID in a `POST /runs` answer, in either documented form (API reference §2.9, §8a): the
    on-demand ingestion guide's `{"items": [{"id", "etag"}]}` or the spec's `CreateFlowRunResponse`
    `{"id", "etag"}`. Anything else is ambiguous: the run may have started (AEPAmbiguousError)."""
    if isinstance(answer, dict):
        items = answer.get("items")
        if isinstance(items, list) and items and isinstance(items[0], dict) and items[0].get("id"):
            return str(items[0]["id"])
        if items is None and isinstance(answer.get("id"), str) and answer["id"]:
            return str(answer["id"])
    raise AEPAmbiguousError(f"AEP POST /runs answered with no run ID: {answer!r:.200}")


class FlowServiceAPI:
    def __init__(self, http: AEPHttpClient) -> None:
        self.http = http

    # Generic resource calls -------------------------------------------------------------------
    def create(self, resource: FlowResource, body: dict[str, Any]) -> dict[str, Any]:
        """POST → `{"id", "etag"}` (201); an answer without `id` is ambiguous (AEPAmbiguousError)."""
        answer: dict[str, Any] = self.http.request_json(
            "POST", "flowservice", f"/{resource}", json=body, required=("id",)
        )
        return answer

    def get(self, resource: FlowResource, resource_id: str) -> dict[str, Any]:
        path = f"/{resource}/{resource_id}"
        return _unwrap(self.http.request_json("GET", "flowservice", path), path)

    def iter(
        self, resource: FlowResource, *filters: str, orderby: str | None = None, limit: int | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every resource matching all `property` filters (`name==X`, `baseConnectionId==Y`)."""
        params: list[tuple[str, Any]] = [("property", f) for f in filters]
        if orderby:
            params.append(("orderby", orderby))
        if limit:
            params.append(("limit", limit))
        return iter_flow_service(self.http, f"/{resource}", params)

    def find_by_name(self, resource: FlowResource, name: str, *filters: str) -> dict[str, Any] | None:
        """The first resource named `name`. Connections and flows filter by name on the server;
        source and target connections document no name filter (API reference §2.10), so `filters`
        (documented ones: `connectionSpec.id`, `baseConnectionId`) narrow the list, pages are
        large, and the name is matched here."""
        return next(self.iter_named(resource, name, *filters), None)

    def iter_named(self, resource: FlowResource, name: str, *filters: str) -> Iterator[dict[str, Any]]:
        """Every resource named `name` (lazily: `find_by_name` reads only as far as the first)."""
        if resource in ("connections", "flows"):
            server_filters = [f for _, f in equals_filter("name", name)] + list(filters)
            limit = None
        else:
            server_filters, limit = list(filters), LOOKUP_PAGE_SIZE
        items = self.iter(resource, *server_filters, limit=limit)
        return (item for item in items if item.get("name") == name)

    def patch(
        self, resource: FlowResource, resource_id: str, ops: list[dict[str, Any]], etag: str
    ) -> dict[str, Any]:
        """JSON Patch with `If-Match` (the etag exactly as AEP returned it, quotes included)."""
        headers = {"If-Match": etag}
        answer: dict[str, Any] = self.http.request_json(
            "PATCH", "flowservice", f"/{resource}/{resource_id}", json=ops, headers=headers
        )
        return answer

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
        answer: dict[str, Any] = self.http.request_json(
            "GET", "flowservice", f"/connections/{connection_id}/explore", params=params
        )
        return answer

    def explore_table(self, connection_id: str, path: str, *, preview: bool = False) -> dict[str, Any]:
        """The columns of one table of a table-based source (`objectType=table&object=<path>`)."""
        params = {"objectType": "table", "object": path, "preview": "true" if preview else "false"}
        return self.http.request(
            "GET", "flowservice", f"/connections/{connection_id}/explore", params=params
        ).json()

    def find_flow_spec(self, name: str) -> dict[str, Any] | None:
        items = iter_flow_service(self.http, "/flowSpecs", [("property", f"name=={name}")])
        return next(items, None)

    def flow_action(self, flow_id: str, op: Literal["enable", "disable"]) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request_json(
            "POST", "flowservice", f"/flows/{flow_id}/action", params={"op": op}
        )
        return answer

    def iter_runs(self, flow_id: str) -> Iterator[dict[str, Any]]:
        """The flow's runs, newest first."""
        return iter_flow_service(
            self.http, "/runs", [("property", f"flowId=={flow_id}"), ("orderby", "-createdAt")]
        )

    def iter_runs_started_after(self, flow_id: str, since_ms: int) -> Iterator[dict[str, Any]]:
        """The flow's runs that started after `since_ms` (epoch ms), newest first: one paged list
        (`property=metrics.durationSummary.startedAtUTC>...`, reference §2.8)."""
        return iter_flow_service(
            self.http,
            "/runs",
            [
                ("property", f"flowId=={flow_id}"),
                ("property", f"metrics.durationSummary.startedAtUTC>{int(since_ms)}"),
                ("orderby", "-createdAt"),
            ],
        )

    def latest_run(self, flow_id: str) -> dict[str, Any] | None:
        return next(self.iter_runs(flow_id), None)

    # Lifecycle: runs, deletes ----------------------------------------------------------------
    def get_run(self, run_id: str) -> dict[str, Any]:
        path = f"/runs/{run_id}"
        return _unwrap(self.http.request_json("GET", "flowservice", path), path)

    def create_run(self, flow_id: str, params: dict[str, Any]) -> str:
        """On-demand run (§2.9): `POST /runs` → `{"items": [{"id", "etag"}]}` (guide) or `{"id", "etag"}`
        (spec); returns the run ID."""
        body = {"flowId": flow_id, "params": params}
        return created_run_id(self.http.request_json("POST", "flowservice", "/runs", json=body))
