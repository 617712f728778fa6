"""Dataflow runs: a lazy clock that creates runs when they are due, and the run shape of reference §2.8.

Nothing runs in the background. Every Flow Service read calls :func:`materialize`, which creates the runs
that became due since the last call; a run's status is computed from its timestamps when it is read.
"""

from __future__ import annotations

import copy
import secrets
import time
import uuid
from typing import Any

from airflow_provider_stripe_aep.emulator import source_changes
from airflow_provider_stripe_aep.emulator.config import EmulatorConfig, FailedRows
from airflow_provider_stripe_aep.emulator.state import FlowMeta, Resource, SandboxStore, new_etag, new_id

FAILURE_ERROR = {
    "code": "CONNECTOR-2001-500",
    "message": "Something went wrong while reading from the source: "
    "the emulator was told to fail this flow's runs.",
}
BYTES_PER_RECORD = 812


def _record_count(store: SandboxStore, flow: Resource) -> int:
    total = 0
    for source_id in flow.get("sourceConnectionIds", []):
        source = store.source_connections.get(source_id)
        if source is None:
            continue
        params = source.get("params", {})
        if "resourcePath" in params:
            total += len(source_changes.sample_records(store, params["resourcePath"]))
        elif "path" in params:
            total += len(source_changes.tables(store).get(params["path"], {}).get("rows", []))
    return total


ROW_ERROR_MESSAGES = {
    # Descriptions from AEP's error-diagnostics guide (reference §8b) and the run example of §2.8.
    "MAPPER-3700-400": "Mapper Transform Error",
    "INGEST-1401-400": "The row has corrupted data and cannot be read or parsed.",
    "INGEST-1555-400": "A required field is either missing or has a value of null.",
}


def _mapping_paths(store: SandboxStore, flow: Resource) -> list[str]:
    """The XDM destinations of the flow's mapping set (where its rows can fail)."""
    for transformation in flow.get("transformations", []):
        mapping_id = (transformation.get("params") or {}).get("mappingId")
        mapping_set = store.mapping_sets.get(str(mapping_id))
        if mapping_set:
            paths = [m.get("destination") for m in mapping_set["_versions"][-1].get("mappings", [])]
            return [p for p in paths if isinstance(p, str) and p]
    return []


def _failed_rows(store: SandboxStore, flow: Resource, rows: FailedRows, records: int) -> dict[str, Any]:
    """Which of a run's rows fail: how many, each one's code and XDM path (emulator-only)."""
    count = round(rows.share * records)
    if rows.share > 0 and records and count == 0:
        count = 1
    paths = _mapping_paths(store, flow) or ["_id"]
    return {
        "count": count,
        "rows": [
            {"code": rows.codes[i % len(rows.codes)], "path": paths[(i // len(rows.codes)) % len(paths)]}
            for i in range(count)
        ],
        "value": rows.value,
    }


def _value(record: Any, source: str) -> Any:
    for key in source.split("."):
        record = record.get(key) if isinstance(record, dict) else None
    return record


def mapping_output(store: SandboxStore, flow: Resource) -> dict[str, Any]:
    """What a run of ``flow`` writes: the mapping set version the flow uses (its ``Mapping``
    transformation) applied to the source's records - the destinations that receive a value."""
    params: dict[str, Any] = {}
    for transformation in flow.get("transformations") or []:
        if isinstance(transformation, dict) and transformation.get("name") == "Mapping":
            params = transformation.get("params") or {}
    mapping_set = store.mapping_sets.get(str(params.get("mappingId")))
    version = int(str(params.get("mappingVersion", 0)))
    if mapping_set is None or version >= len(mapping_set["_versions"]):
        return {"mappingId": params.get("mappingId"), "mappingVersion": version, "fields": []}
    records: list[dict[str, Any]] = []
    for source_id in flow.get("sourceConnectionIds", []):
        params = (store.source_connections.get(source_id) or {}).get("params", {})
        if params.get("resourcePath"):
            records += [{"data": r} for r in source_changes.sample_records(store, params["resourcePath"])]
        elif params.get("path"):
            records += source_changes.tables(store).get(params["path"], {}).get("rows", [])
    fields = {
        str(m["destination"])
        for m in mapping_set["_versions"][version]["mappings"]
        if m.get("sourceType") == "ATTRIBUTE"
        and any(_value(r, str(m["source"])) is not None for r in records)
    }
    return {"mappingId": mapping_set["id"], "mappingVersion": version, "fields": sorted(fields)}


PARTIAL_ERROR = {"code": "MAPPER-3700-400", "message": ROW_ERROR_MESSAGES["MAPPER-3700-400"]}
"""The row-level error of a partly failed run (with its `recordCount`)."""


def create_run(
    store: SandboxStore,
    flow: Resource,
    meta: FlowMeta,
    at: float,
    extension: str,
    *,
    outcome: str = "success",
    window_ms: tuple[int, int] | None = None,
    failed_rows: FailedRows | None = None,
) -> Resource:
    rows = meta.failed_rows or failed_rows or FailedRows()
    records = rows.records or _record_count(store, flow)
    run: Resource = {
        "id": new_id(),
        "flowId": flow["id"],
        "etag": new_etag(),
        "createdAt": int(at * 1000),
        "sandboxId": store.name,
        "sandboxName": store.name,
        "imsOrgId": meta.org,
        "_fail": meta.fail_runs,
        "_outcome": meta.outcome or outcome,
        "_records": records,
        "_failed_rows": _failed_rows(store, flow, rows, records),
        "_type": extension,
        "_sources": list(flow.get("sourceConnectionIds", [])),
        "_targets": list(flow.get("targetConnectionIds", [])),
        "_batch": secrets.token_hex(13).upper()[:26],
        "_adf": new_id(),
        "_output": mapping_output(store, flow),
    }
    if window_ms is not None:  # an on-demand run's requested window
        run["_window_ms"] = window_ms
    store.runs[run["id"]] = run
    meta.run_count += 1
    return run


def materialize(store: SandboxStore, config: EmulatorConfig, now: float | None = None) -> None:
    """Create the runs that are due. Bounded: a long idle gap yields one catch-up run, not a pile."""
    now = time.time() if now is None else now
    for flow_id, flow in store.flows.items():
        meta = store.flow_meta.get(flow_id)
        if meta is None or flow.get("state") != "enabled" or meta.next_run_at is None or meta.stopped:
            continue
        if meta.next_run_at > now or meta.run_count >= config.max_runs_per_flow:
            continue
        once = flow.get("scheduleParams", {}).get("frequency") == "once"
        interval = max(config.run_interval_seconds, 0.05)
        due = meta.next_run_at
        if not once and now - due > interval:
            due = now - (now - due) % interval
        create_run(
            store,
            flow,
            meta,
            due,
            "one-time" if once else "scheduled",
            outcome=config.run_outcome,
            failed_rows=config.failed_rows,
        )
        meta.next_run_at = None if once else due + interval


def _outcome(run: Resource) -> str:
    return "failed" if run["_fail"] else str(run.get("_outcome", "success"))


def _status(run: Resource, config: EmulatorConfig, now_ms: int) -> tuple[str, int | None]:
    completed = run["createdAt"] + int(config.run_seconds * 1000)
    if now_ms < completed:
        return "inProgress", None
    return _outcome(run), completed


def _etag(run: Resource, status: str) -> str:
    """A run's etag changes when the run changes (here: when it reaches its end)."""
    if status == "inProgress":
        return str(run["etag"])
    return f'"{uuid.uuid5(uuid.NAMESPACE_URL, run["id"] + status)}"'


def render_run(run: Resource, config: EmulatorConfig, now_ms: int | None = None) -> Resource:
    """The public shape of a run, status computed from the clock."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    status, completed = _status(run, config, now_ms)
    started = run["createdAt"]
    done = completed is not None
    records = run["_records"] if done else 0
    failed = status == "failed"
    partial = status == "partialSuccess"
    planned = run.get("_failed_rows", {}).get("count", 0)
    failed_records = 0
    if failed:
        failed_records = records
    elif done and planned:
        failed_records = planned
    elif partial and records:
        failed_records = max(1, records // 5)
    record_summary = {
        "inputRecordCount": records,
        "outputRecordCount": records - failed_records,
        "failedRecordCount": failed_records,
        "createdRecordCount": records - failed_records,
        "updatedRecordCount": 0,
        "skippedRecordCount": 0,
        "deletedRecordCount": 0,
        "warningRecordCount": 0,
    }
    duration: dict[str, Any] = {"startedAtUTC": started}
    if completed is not None:
        duration["completedAtUTC"] = completed
    status_summary: dict[str, Any] = {"status": status, "activityRefs": ["promotionActivity"]}
    errors: list[dict[str, Any]] = []
    row_errors: list[dict[str, Any]] = []
    if failed:
        errors = [copy.deepcopy(FAILURE_ERROR)]
    elif failed_records:
        # A run with failed rows below the partial-ingestion threshold still reports its status
        # (e.g. success) with INGEST-1212-400 and one error per row code with its recordCount (§8b).
        errors = [
            {
                "code": "INGEST-1212-400",
                "message": f"Encountered {failed_records} errors in the data. Successfully ingested "
                f"{records - failed_records} rows.",
            }
        ]
        if planned:
            per_code: dict[str, int] = {}
            for row in run["_failed_rows"]["rows"]:
                per_code[row["code"]] = per_code.get(row["code"], 0) + 1
            row_errors = [
                {
                    "code": code,
                    "recordCount": n,
                    "message": ROW_ERROR_MESSAGES.get(code, "Row failed validation"),
                }
                for code, n in per_code.items()
            ]
        else:
            row_errors = [dict(PARTIAL_ERROR, recordCount=failed_records)]
    if errors:
        status_summary["errors"] = errors + row_errors
    in_bytes = records * BYTES_PER_RECORD
    export = "https://platform.adobe.io/data/foundation/export/batches"
    promotion_status: dict[str, Any] = {"status": status}
    if done and not failed:
        promotion_status["extensions"] = {
            "manifest": {
                "failedRecords": f"{export}/{run['_batch']}/meta?path=row_errors",
                "sampleErrors": f"{export}/{run['_batch']}/meta?path=row_error_samples.json",
            }
        }
    if failed:
        promotion_status["errors"] = [copy.deepcopy(FAILURE_ERROR)]
    elif failed_records:
        promotion_status.setdefault("extensions", {})["errors"] = copy.deepcopy(errors + row_errors)
    copy_status: dict[str, Any] = {"status": status, "extensions": {"type": run["_type"]}}
    if failed:
        copy_status["errors"] = [copy.deepcopy(FAILURE_ERROR)]
    copy_duration: dict[str, Any] = dict(duration)
    if "_window_ms" in run:
        # The run's window as monitor.md documents it: copyActivity's durationSummary.extensions,
        # epoch milliseconds. A run object has no `params` (FlowRunItemDTO), so none is shown. The
        # docs show no window for scheduled runs' own intervals: those runs show none here.
        start_ms, end_ms = run["_window_ms"]
        copy_duration["extensions"] = {"windowStart": start_ms, "windowEnd": end_ms}
    rendered: Resource = {
        "id": run["id"],
        "flowId": run["flowId"],
        "etag": _etag(run, status),
        "createdAt": started,
        "updatedAt": completed or started,
        "createdBy": "flow-service",
        "updatedBy": "flow-service",
        "sandboxId": run["sandboxId"],
        "sandboxName": run["sandboxName"],
        "imsOrgId": run["imsOrgId"],
        "metrics": {
            "durationSummary": duration,
            "sizeSummary": {
                "inputBytes": in_bytes,
                "outputBytes": int((records - failed_records) * BYTES_PER_RECORD * 0.7),
            },
            "recordSummary": record_summary,
            "fileSummary": {
                "inputFileCount": 1 if done else 0,
                "outputFileCount": 1 if done and not failed else 0,
                "activityRefs": ["promotionActivity"],
            },
            "statusSummary": status_summary,
        },
        "activities": [
            {
                "id": "copyActivity",
                "updatedAtUTC": completed or started,
                "durationSummary": copy_duration,
                "sizeSummary": {"inputBytes": in_bytes, "outputBytes": in_bytes},
                "recordSummary": {},
                "fileSummary": {"inputFileCount": 1 if done else 0, "outputFileCount": 1 if done else 0},
                "statusSummary": copy_status,
                "sourceInfo": [
                    {
                        "id": sid,
                        "type": "SourceConnection",
                        "reference": {"type": "AdfRunId", "ids": [run["_adf"]]},
                    }
                    for sid in run["_sources"]
                ],
            },
            {
                "id": "promotionActivity",
                "updatedAtUTC": completed or started,
                "durationSummary": dict(duration),
                "recordSummary": dict(record_summary),
                "statusSummary": promotion_status,
                "targetInfo": [
                    {
                        "id": tid,
                        "type": "TargetConnection",
                        "reference": {"type": "Batch", "ids": [run["_batch"]]},
                    }
                    for tid in run["_targets"]
                ],
            },
        ],
    }
    return rendered


def last_run_details(store: SandboxStore, flow_id: str, config: EmulatorConfig) -> Resource | None:
    """``lastRunDetails`` of a flow: the newest finished run."""
    now_ms = int(time.time() * 1000)
    finished = []
    for run in store.runs.values():
        if run["flowId"] != flow_id:
            continue
        status, completed = _status(run, config, now_ms)
        if completed is not None:
            finished.append((run["createdAt"], run["id"], status, completed))
    if not finished:
        return None
    created, run_id, status, completed = max(finished)
    return {"id": run_id, "state": status, "startedAtUTC": created, "completedAtUTC": completed}
