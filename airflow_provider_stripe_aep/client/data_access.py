"""Data Access (prefix `/data/foundation/export`): the diagnostic files of a batch's failed rows
(reference §8b; AEP's "Retrieving error diagnostics" and "Retrieving failed batches" guides).

- `GET /batches/{BATCH}/meta?path=row_errors` lists the row-error files, `...?path=row_errors/<name>`
  downloads one;
- `GET /batches/{BATCH}/failed` lists the failed-record files, `...?path=<name>` downloads one.

Lists answer `{"data": [{"name", "length", "_links"}], "_page": {"limit": 100, "count": N}}`; the
guides show no next-page link, so one page is read. Downloads are JSON objects, one a line, holding
the customer's records: they are returned as lines for a caller that reads only codes and paths,
never logged here, and never put into an exception.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.client.errors import AEPMalformedResponseError
from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.resources.run_diagnostics import DiagnosticKind


def _file_query(kind: DiagnosticKind, name: str | None) -> tuple[str, dict[str, str]]:
    if kind == "row_errors":
        return "meta", {"path": f"row_errors/{name}" if name else "row_errors"}
    return "failed", ({"path": name} if name else {})


class DataAccessAPI:
    def __init__(self, http: AEPHttpClient) -> None:
        self.http = http

    def list_files(self, batch_id: str, kind: DiagnosticKind) -> list[dict[str, Any]]:
        """The batch's row-error or failed-record files: `[{"name", "length", ...}]`."""
        endpoint, params = _file_query(kind, None)
        path = f"/batches/{batch_id}/{endpoint}"
        body = self.http.request_json("GET", "export", path, params=params)
        files = body.get("data") if isinstance(body, dict) else None
        if not isinstance(files, list):
            raise AEPMalformedResponseError(
                f"AEP GET /data/foundation/export{path} answered without a 'data' list",
                method="GET",
                path=path,
            )
        return [f for f in files if isinstance(f, dict) and isinstance(f.get("name"), str)]

    def read_lines(self, batch_id: str, kind: DiagnosticKind, name: str, *, max_lines: int) -> list[bytes]:
        """The first `max_lines` lines of one diagnostic file (its content is never logged)."""
        endpoint, params = _file_query(kind, name)
        response = self.http.request("GET", "export", f"/batches/{batch_id}/{endpoint}", params=params)
        return [line for line in response.content.splitlines()[:max_lines] if line.strip()]
