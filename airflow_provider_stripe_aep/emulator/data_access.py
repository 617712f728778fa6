"""Data Access (reference §8b): the diagnostic files of a run's batch, as AEP's "Retrieving error
diagnostics" and "Retrieving failed batches" guides show them.

- ``GET /batches/{BATCH}/meta?path=row_errors`` lists the row-error files; ``?path=row_errors/<name>``
  answers one: a JSON object a line, ``{"_corrupt_record", "_errors": [{"code", "message"}], "_filename"}``.
- ``GET /batches/{BATCH}/failed`` lists a ``_SUCCESS`` marker and the failed-record file; ``?path=<name>``
  answers the failed records themselves, each with ``_validationErrors`` (``keyword``, ``message``,
  ``pointerToViolation``, ``schemaLocation``, ``causingExceptions``).

Like AEP's, these files hold the customer's records and messages that quote the bad value.
The guides list the files without a next-page link and do not say what the download's content
type is; the emulator answers one page and ``application/json`` (one object a line).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from airflow_provider_stripe_aep.emulator import source_changes
from airflow_provider_stripe_aep.emulator.errors import ApiError
from airflow_provider_stripe_aep.emulator.flow_runs import render_run
from airflow_provider_stripe_aep.emulator.gateway import Ctx, platform_context
from airflow_provider_stripe_aep.emulator.state import Resource, SandboxStore

PREFIX = "/data/foundation/export"
router = APIRouter(prefix=PREFIX, dependencies=[Depends(platform_context)])
ROW_ERRORS_FILE = "conversion_errors_0.json"


def _not_found(detail: str) -> ApiError:
    return ApiError(
        404, {"type": "/placeholder/type/uri", "status": 404, "title": "NotFound", "detail": detail}
    )


def _run_of_batch(store: SandboxStore, batch_id: str) -> Resource:
    for run in store.runs.values():
        if run.get("_batch") == batch_id:
            return run
    raise _not_found(f"Batch {batch_id} not found.")


def _failed_rows(ctx: Ctx, batch_id: str) -> list[dict[str, Any]]:
    """The failed rows of a finished run's batch (none while it runs or when the whole run failed)."""
    run = _run_of_batch(ctx.store, batch_id)
    rendered = render_run(run, ctx.config)
    status = rendered["metrics"]["statusSummary"]["status"]
    if status in ("inProgress", "failed"):
        return []
    planned = run.get("_failed_rows") or {}
    return [
        {**row, "index": i, "value": planned.get("value")} for i, row in enumerate(planned.get("rows", []))
    ]


def _record(store: SandboxStore, run: Resource, index: int) -> dict[str, Any]:
    samples: list[dict[str, Any]] = []
    for source_id in run.get("_sources", []):
        path = (store.source_connections.get(source_id) or {}).get("params", {}).get("resourcePath")
        if path:
            samples = source_changes.sample_records(store, path)
    return dict(samples[index % len(samples)]) if samples else {}


def _bad_value(record: dict[str, Any], row: dict[str, Any]) -> Any:
    field = row["path"].rsplit(".", 1)[-1]
    if row["value"] is not None:
        record[field] = row["value"]
    return record.get(field)


def _pointer(path: str) -> str:
    return "#/" + path.replace(".", "/")


def _row_error_line(store: SandboxStore, run: Resource, row: dict[str, Any]) -> dict[str, Any]:
    record = _record(store, run, row["index"])
    value = _bad_value(record, row)
    return {
        "_corrupt_record": json.dumps(record, separators=(",", ":")),
        "_errors": [{"code": row["code"], "message": f"[{value}] cannot be converted for {row['path']}."}],
        "_filename": ROW_ERRORS_FILE,
    }


def _failed_line(store: SandboxStore, run: Resource, row: dict[str, Any]) -> dict[str, Any]:
    record = _record(store, run, row["index"])
    value = _bad_value(record, row)
    schema_location = "#/properties/" + row["path"].replace(".", "/properties/")
    return {
        **record,
        "_validationErrors": [
            {
                "causingExceptions": [],
                "keyword": "format",
                "message": f"[{value}] is not valid for {row['path']}",
                "pointerToViolation": _pointer(row["path"]),
                "schemaLocation": schema_location,
            }
        ],
    }


def _listing(batch_id: str, endpoint: str, names: list[tuple[str, int]], query: str) -> dict[str, Any]:
    data = [
        {
            "name": name,
            "length": str(length),
            "_links": {
                "self": {
                    "href": f"https://platform.adobe.io:443{PREFIX}/batches/{batch_id}/{endpoint}?path={query}{name}"
                }
            },
        }
        for name, length in names
    ]
    return {"data": data, "_page": {"limit": 100, "count": len(data)}}


def _lines(lines: list[dict[str, Any]]) -> Response:
    body = "\n".join(json.dumps(line, separators=(",", ":")) for line in lines)
    return Response(body.encode(), media_type="application/json")


@router.get("/batches/{batch_id}/meta")
async def batch_meta(batch_id: str, request: Request, ctx: Ctx) -> Any:
    path = request.query_params.get("path", "")
    run = _run_of_batch(ctx.store, batch_id)
    rows = _failed_rows(ctx, batch_id)
    lines = [_row_error_line(ctx.store, run, row) for row in rows]
    if path in ("row_errors", "row_errors/"):
        size = len(_lines(lines).body) if lines else 0
        return _listing(batch_id, "meta", [(ROW_ERRORS_FILE, size)] if lines else [], "row_errors%2F")
    if path == f"row_errors/{ROW_ERRORS_FILE}" and lines:
        return _lines(lines)
    raise _not_found(f"No file {path!r} in the diagnostics of batch {batch_id}.")


@router.get("/batches/{batch_id}/failed")
async def batch_failed(batch_id: str, request: Request, ctx: Ctx) -> Any:
    run = _run_of_batch(ctx.store, batch_id)
    name = f"part-00000-{batch_id.lower()}-c000.json"
    lines = [_failed_line(ctx.store, run, row) for row in _failed_rows(ctx, batch_id)]
    path = request.query_params.get("path")
    if path is None:
        files = [("_SUCCESS", 0)] + ([(name, len(_lines(lines).body))] if lines else [])
        return _listing(batch_id, "failed", files, "")
    if path == "_SUCCESS":
        return Response(b"", media_type="application/json")
    if path == name and lines:
        return _lines(lines)
    raise _not_found(f"No failed file {path!r} in batch {batch_id}.")
