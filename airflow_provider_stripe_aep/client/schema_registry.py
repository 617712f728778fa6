"""Schema Registry: tenant ID, field groups and schemas in the tenant container."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.client.pagination import equals_filter, iter_schema_registry

SchemaResource = Literal["fieldgroups", "schemas"]
FULL_ACCEPT = "application/vnd.adobe.xed-full+json; version=1"
RAW_ACCEPT = "application/vnd.adobe.xed+json; version=1"

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
                body = self.http.request("GET", "schemaregistry", "/stats").json()
                _TENANTS[key] = str(body["tenantId"]).lstrip("_")
            self._tenant_id = _TENANTS[key]
        return self._tenant_id

    def create(self, resource: SchemaResource, body: dict[str, Any]) -> dict[str, Any]:
        return self.http.request("POST", "schemaregistry", f"/tenant/{resource}", json=body).json()

    def get(self, resource: SchemaResource, resource_id: str, *, accept: str = FULL_ACCEPT) -> dict[str, Any]:
        path = f"/tenant/{resource}/{quote(resource_id, safe='')}"
        return self.http.request("GET", "schemaregistry", path, headers={"Accept": accept}).json()

    def find_by_title(self, resource: SchemaResource, title: str) -> dict[str, Any] | None:
        """Summary (`$id`, `meta:altId`, `version`, `title`) of the tenant resource with this title."""
        results = iter_schema_registry(self.http, f"/tenant/{resource}", equals_filter("title", title))
        return next((r for r in results if r.get("title") == title), None)


def clear_tenant_cache() -> None:
    """Forget the tenant IDs this process has looked up (tests)."""
    _TENANTS.clear()
