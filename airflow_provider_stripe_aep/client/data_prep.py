"""Data Prep (conversion service): mapping sets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.client.pagination import iter_data_prep


def describe_failures(body: dict[str, Any]) -> list[str]:
    """One line per failed mapping of a `/mappingSets/validate` answer: `source -> destination: why`."""
    lines = []
    entries = body.get("validationResponse") if isinstance(body, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or str(entry.get("status", "")).upper() == "SUCCESS":
            continue
        errors = entry.get("errors")
        for error in errors if isinstance(errors, list) and errors else [{}]:
            error = error if isinstance(error, dict) else {"exception": error}
            lines.append(f"{error.get('source')} -> {error.get('destination')}: {error.get('exception')}")
    return lines


class DataPrepAPI:
    def __init__(self, http: AEPHttpClient) -> None:
        self.http = http

    def validate_mapping_set(self, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request_json(
            "POST",
            "conversion",
            "/mappingSets/validate",
            json=body,
            retry_post=True,
            required=("validationResponse",),
        )
        return answer

    def create_mapping_set(self, body: dict[str, Any]) -> dict[str, Any]:
        """→ `{"id", "version", ...}` (Data Prep answers 200, not 201); an answer without `id` is
        ambiguous (AEPAmbiguousError)."""
        answer: dict[str, Any] = self.http.request_json(
            "POST", "conversion", "/mappingSets", json=body, required=("id",)
        )
        return answer

    def update_mapping_set(self, mapping_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """`PUT /mappingSets/{id}` with the full body → `{"id", "version", ...}`: the next version
        (reference §5, §8c)."""
        answer: dict[str, Any] = self.http.request_json(
            "PUT", "conversion", f"/mappingSets/{mapping_id}", json=body, required=("id",)
        )
        return answer

    def get_mapping_set(self, mapping_id: str) -> dict[str, Any]:
        """The latest version of a mapping set, with its `mappings`."""
        answer: dict[str, Any] = self.http.request_json(
            "GET", "conversion", f"/mappingSets/{mapping_id}", required=("id",)
        )
        return answer

    def find_mapping_set(self, name: str) -> dict[str, Any] | None:
        return next(self.iter_mapping_sets_named(name), None)

    def iter_mapping_sets_named(self, name: str) -> Iterator[dict[str, Any]]:
        items = iter_data_prep(self.http, "/mappingSets", [("name", name)])
        return (m for m in items if m.get("name") == name)
