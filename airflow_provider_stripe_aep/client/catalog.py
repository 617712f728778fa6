"""Catalog: datasets."""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.client.pagination import equals_filter, iter_catalog


def dataset_id_from_ref(refs: Any) -> str:
    """`["@/dataSets/5c8c3c555033b814b69f947f"]` → `5c8c3c555033b814b69f947f`."""
    if isinstance(refs, list) and refs and isinstance(refs[0], str) and refs[0].startswith("@/dataSets/"):
        return refs[0].split("/")[-1]
    raise ValueError(f"Unexpected Catalog create response: {refs!r}")


class CatalogAPI:
    def __init__(self, http: AEPHttpClient) -> None:
        self.http = http

    def create_dataset(self, body: dict[str, Any]) -> str:
        response = self.http.request(
            "POST", "catalog", "/dataSets", params={"requestDataSource": "true"}, json=body
        )
        return dataset_id_from_ref(response.json())

    def find_dataset(self, name: str) -> dict[str, Any] | None:
        for dataset_id, item in iter_catalog(self.http, "/dataSets", equals_filter("name", name)):
            if item.get("name") == name:
                return {"id": dataset_id, **item}
        return None

    def delete_dataset(self, dataset_id: str) -> None:
        """`DELETE /dataSets/{id}` → 200 (an unknown ID may also answer 200 with `[]`)."""
        self.http.request("DELETE", "catalog", f"/dataSets/{dataset_id}")
