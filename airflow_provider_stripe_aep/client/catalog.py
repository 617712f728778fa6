"""Catalog: datasets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow_provider_stripe_aep.client.errors import AEPAmbiguousError
from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.client.pagination import equals_filter, iter_catalog

DATASETS = "/data/foundation/catalog/dataSets"


def dataset_id_from_ref(refs: Any) -> str:
    """`["@/dataSets/5c8c3c555033b814b69f947f"]` → `5c8c3c555033b814b69f947f`. Any other answer to
    a create is ambiguous: the dataset may exist, so it must be looked up before another POST."""
    if isinstance(refs, list) and refs and isinstance(refs[0], str) and refs[0].startswith("@/dataSets/"):
        dataset_id = refs[0].split("/")[-1]
        if dataset_id:
            return dataset_id
    raise AEPAmbiguousError(
        f"AEP POST {DATASETS} answered without a dataset reference ({refs!r:.200}) - the POST may "
        "have been carried out; look the resource up before sending it again",
        method="POST",
        path=DATASETS,
    )


class CatalogAPI:
    def __init__(self, http: AEPHttpClient) -> None:
        self.http = http

    def create_dataset(self, body: dict[str, Any]) -> str:
        answer = self.http.request_json(
            "POST", "catalog", "/dataSets", params={"requestDataSource": "true"}, json=body
        )
        return dataset_id_from_ref(answer)

    def find_dataset(self, name: str) -> dict[str, Any] | None:
        return next(self.iter_datasets_named(name), None)

    def iter_datasets_named(self, name: str) -> Iterator[dict[str, Any]]:
        for dataset_id, item in iter_catalog(self.http, "/dataSets", equals_filter("name", name)):
            if item.get("name") == name:
                yield {"id": dataset_id, **item}

    def delete_dataset(self, dataset_id: str) -> None:
        """`DELETE /dataSets/{id}` → 200 (an unknown ID may also answer 200 with `[]`)."""
        self.http.request("DELETE", "catalog", f"/dataSets/{dataset_id}")
