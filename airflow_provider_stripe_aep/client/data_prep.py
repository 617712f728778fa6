"""Data Prep (conversion service): mapping sets."""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.client.pagination import iter_data_prep


def describe_failures(body: dict[str, Any]) -> list[str]:
    """One line per failed mapping of a `/mappingSets/validate` answer: `source -> destination: why`."""
    lines = []
    for entry in body.get("validationResponse") or []:
        if str(entry.get("status", "")).upper() == "SUCCESS":
            continue
        for error in entry.get("errors") or [{}]:
            lines.append(f"{error.get('source')} -> {error.get('destination')}: {error.get('exception')}")
    return lines


class DataPrepAPI:
    def __init__(self, http: AEPHttpClient) -> None:
        self.http = http

    def validate_mapping_set(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.http.request(
            "POST", "conversion", "/mappingSets/validate", json=body, retry_post=True
        ).json()

    def create_mapping_set(self, body: dict[str, Any]) -> dict[str, Any]:
        """→ `{"id", "version", ...}` (Data Prep answers 200, not 201)."""
        return self.http.request("POST", "conversion", "/mappingSets", json=body).json()

    def find_mapping_set(self, name: str) -> dict[str, Any] | None:
        return next(
            (m for m in iter_data_prep(self.http, "/mappingSets", [("name", name)]) if m.get("name") == name),
            None,
        )
