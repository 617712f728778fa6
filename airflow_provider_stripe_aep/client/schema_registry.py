"""Schema Registry: tenant ID, field groups and schemas in the tenant container."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.client.pagination import equals_filter, iter_schema_registry
from airflow_provider_stripe_aep.resources.platform import XED_FULL_CONTENT_TYPE

XED_LIST_CONTENT_TYPE = "application/vnd.adobe.xed+json"
"""Lists of full resources take no version (API reference §3.2)."""

SchemaResource = Literal["fieldgroups", "schemas"]

_TENANTS: dict[tuple[str, str, str], str] = {}
"""Tenant IDs this process has looked up, by (platform URL, org, sandbox): an org's tenant never
changes, so every client of the process asks `/stats` once."""


class SchemaRegistryAPI:
    def __init__(self, http: AEPHttpClient) -> None:
        self.http = http
        self._tenant_id: str | None = None

    def tenant_id(self) -> str:
        """The org's tenant ID without the leading underscore (`GET /stats`), fetched once per process."""
        if self._tenant_id is None:
            cfg = self.http.config
            key = (cfg.base_url, cfg.org_id, cfg.sandbox)
            if key not in _TENANTS:
                body = self.http.request_json("GET", "schemaregistry", "/stats", required=("tenantId",))
                _TENANTS[key] = str(body["tenantId"]).lstrip("_")
            self._tenant_id = _TENANTS[key]
        return self._tenant_id

    def create(self, resource: SchemaResource, body: dict[str, Any]) -> dict[str, Any]:
        """POST → the new resource (201); an answer without `$id` is ambiguous (AEPAmbiguousError)."""
        answer: dict[str, Any] = self.http.request_json(
            "POST", "schemaregistry", f"/tenant/{resource}", json=body, required=("$id",)
        )
        return answer

    def get(
        self, resource: SchemaResource, resource_id: str, *, accept: str = XED_FULL_CONTENT_TYPE
    ) -> dict[str, Any]:
        path = f"/tenant/{resource}/{quote(resource_id, safe='')}"
        answer: dict[str, Any] = self.http.request_json(
            "GET", "schemaregistry", path, headers={"Accept": accept}, required=("$id",)
        )
        return answer

    def find_by_title(self, resource: SchemaResource, title: str) -> dict[str, Any] | None:
        """Summary (`$id`, `meta:altId`, `version`, `title`) of the tenant resource with this title."""
        results = iter_schema_registry(self.http, f"/tenant/{resource}", equals_filter("title", title))
        return next((r for r in results if r.get("title") == title), None)

    def list_by_title(self, resource: SchemaResource, title: str) -> list[dict[str, Any]]:
        """Every tenant resource with this title, in full (`xed+json`: with `meta:registryMetadata`,
        where the creation time is; the summaries have none)."""
        results = iter_schema_registry(
            self.http, f"/tenant/{resource}", equals_filter("title", title), accept=XED_LIST_CONTENT_TYPE
        )
        return [r for r in results if r.get("title") == title]

    def patch(self, resource: SchemaResource, resource_id: str, ops: list[dict[str, Any]]) -> dict[str, Any]:
        """JSON Patch (`PATCH /tenant/{resource}/{$id}`, no If-Match, reference §3.4/§8c) → the resource."""
        path = f"/tenant/{resource}/{quote(resource_id, safe='')}"
        answer: dict[str, Any] = self.http.request_json(
            "PATCH", "schemaregistry", path, json=ops, required=("$id",)
        )
        return answer

    def delete(self, resource: SchemaResource, resource_id: str) -> None:
        """`DELETE /tenant/{resource}/{$id}` → 204."""
        path = f"/tenant/{resource}/{quote(resource_id, safe='')}"
        self.http.request("DELETE", "schemaregistry", path)


def clear_tenant_cache() -> None:
    """Forget the tenant IDs this process has looked up (tests)."""
    _TENANTS.clear()
