"""Test/ops surface under ``/_emulator`` (no auth, never faulted)."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import APIRouter, Request, Response

from airflow_provider_stripe_aep.emulator import fixtures, source_changes
from airflow_provider_stripe_aep.emulator.config import RUN_OUTCOMES, FailedRows, FaultRule
from airflow_provider_stripe_aep.emulator.connections import masked_connection
from airflow_provider_stripe_aep.emulator.errors import ApiError
from airflow_provider_stripe_aep.emulator.faults import FaultInjector
from airflow_provider_stripe_aep.emulator.flow_runs import materialize, render_run
from airflow_provider_stripe_aep.emulator.gateway import emulator_state, json_body
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

router = APIRouter(prefix="/_emulator")


def _injector(request: Request) -> FaultInjector:
    injector: FaultInjector = request.app.state.faults
    return injector


def _bad(detail: str) -> ApiError:
    return ApiError(400, {"title": "Bad Request", "status": 400, "detail": detail})


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/requests")
async def get_requests(request: Request) -> list[dict[str, Any]]:
    state = emulator_state(request)
    with state.lock:
        return copy.deepcopy(state.request_log)


@router.delete("/requests", status_code=204)
async def clear_requests(request: Request) -> Response:
    state = emulator_state(request)
    with state.lock:
        state.request_log.clear()
    return Response(status_code=204)


@router.get("/state")
async def dump_state(request: Request) -> dict[str, Any]:
    state = emulator_state(request)
    sandboxes: dict[str, Any] = {}
    with state.lock:
        for name, store in state.sandboxes.items():
            materialize(store, state.config)
            sandboxes[name] = {
                "connections": [masked_connection(c) for c in store.connections.values()],
                "sourceConnections": copy.deepcopy(list(store.source_connections.values())),
                "targetConnections": copy.deepcopy(list(store.target_connections.values())),
                "flows": copy.deepcopy(list(store.flows.values())),
                "runs": [render_run(r, state.config) for r in store.runs.values()],
                "fieldGroups": copy.deepcopy(list(store.fieldgroups.values())),
                "schemas": copy.deepcopy(list(store.schemas.values())),
                "dataSets": copy.deepcopy(store.datasets),
                "mappingSets": [copy.deepcopy(m["_versions"][-1]) for m in store.mapping_sets.values()],
            }
        return {"tenantId": state.config.tenant_id, "tokens": len(state.tokens), "sandboxes": sandboxes}


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    """Forget every resource, the request log and the fault rules; ``?tokens=true`` also drops tokens."""
    state = emulator_state(request)
    state.reset_resources()
    with state.lock:
        state.request_log.clear()
    _injector(request).clear()
    if request.query_params.get("tokens", "").lower() == "true":
        state.expire_tokens()
    return {"reset": True}


@router.get("/faults")
async def get_faults(request: Request) -> list[dict[str, Any]]:
    return [rule.to_dict() for rule in _injector(request).rules]


@router.post("/faults")
async def set_faults(request: Request) -> list[dict[str, Any]]:
    """Body: a rule, a list of rules, or ``{"rules": [...], "append": false}``; replaces by default."""
    body = await json_body(request)
    append = False
    if isinstance(body, dict) and "rules" in body:
        append = bool(body.get("append", False))
        body = body["rules"]
    items = body if isinstance(body, list) else [body]
    try:
        rules = [FaultRule.from_dict(item) for item in items]
    except (TypeError, ValueError) as exc:
        raise _bad(str(exc)) from None
    _injector(request).set_rules(rules, append=append)
    return [rule.to_dict() for rule in _injector(request).rules]


@router.delete("/faults", status_code=204)
async def clear_faults(request: Request) -> Response:
    _injector(request).clear()
    return Response(status_code=204)


@router.post("/expire-tokens")
async def expire_tokens(request: Request) -> dict[str, int]:
    return {"expired": emulator_state(request).expire_tokens()}


@router.post("/flows/{flow_id}/fail-runs")
async def fail_runs(flow_id: str, request: Request) -> dict[str, Any]:
    """Make the flow's unfinished and future runs fail (body ``{"fail": false}`` undoes it)."""
    state = emulator_state(request)
    body = await json_body(request, required=False)
    fail = bool(body.get("fail", True)) if isinstance(body, dict) else True
    with state.lock:
        for store in state.sandboxes.values():
            meta = store.flow_meta.get(flow_id)
            if meta is None:
                continue
            meta.fail_runs = fail
            for run in store.runs.values():
                if (
                    run["flowId"] == flow_id
                    and render_run(run, state.config)["metrics"]["statusSummary"]["status"] == "inProgress"
                ):
                    run["_fail"] = fail
            return {"id": flow_id, "sandbox": store.name, "failRuns": fail}
    raise ApiError(404, {"title": "Not Found", "status": 404, "detail": f"No flow with id {flow_id}"})


def _find_flow(request: Request, flow_id: str) -> tuple[Any, Any]:
    state = emulator_state(request)
    for store in state.sandboxes.values():
        if flow_id in store.flows:
            return store, store.flow_meta[flow_id]
    raise ApiError(404, {"title": "Not Found", "status": 404, "detail": f"No flow with id {flow_id}"})


@router.post("/run-outcome")
async def set_run_outcome(request: Request) -> dict[str, Any]:
    """How new runs end. Body ``{"outcome": "success|partialSuccess|failed"}`` sets it for every flow;
    with ``"flowId"`` for that flow only (``"outcome": null`` goes back to the emulator-wide one).
    Runs already created keep their outcome; ``/_emulator/reset`` restores the start-up setting."""
    body = await json_body(request)
    if not isinstance(body, dict) or "outcome" not in body:
        raise _bad('body must be {"outcome": ..., "flowId": optional}')
    outcome = body["outcome"]
    flow_id = body.get("flowId")
    allowed = (*RUN_OUTCOMES, None) if flow_id else RUN_OUTCOMES
    if outcome not in allowed:
        raise _bad(f"outcome must be one of {', '.join(RUN_OUTCOMES)}, got {outcome!r}")
    state = emulator_state(request)
    with state.lock:
        if flow_id:
            _, meta = _find_flow(request, str(flow_id))
            meta.outcome = outcome
            return {"flowId": flow_id, "outcome": outcome}
        state.config.run_outcome = outcome
        return {"outcome": outcome}


@router.post("/flows/{flow_id}/state")
async def force_flow_state(flow_id: str, request: Request) -> dict[str, Any]:
    """Put a flow in any state, e.g. an intermediate one (``disabling``, ``updating``,
    ``delete-finalizing``), to exercise the state rules of reference §2.7/§2.11."""
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("state"), str) or not body["state"]:
        raise _bad('body must be {"state": "<state>"}')
    state = emulator_state(request)
    with state.lock:
        store, _ = _find_flow(request, flow_id)
        store.flows[flow_id]["state"] = body["state"]
        return {"id": flow_id, "state": body["state"]}


@router.post("/failed-rows")
async def set_failed_rows(request: Request) -> dict[str, Any]:
    """How new runs lose rows. Body ``{"share": 0.03, "codes": ["MAPPER-3700-400", ...], "records": 100,
    "value": optional}``: ``share`` of a run's ``records`` (0: the resource's samples) fail, spread over
    ``codes``; ``value`` is written into each failed record (the test's marker). With ``"flowId"`` for
    that flow only (``"share": null`` goes back to the emulator-wide setting). Runs already created keep
    theirs; ``/_emulator/reset`` restores the start-up setting."""
    body = await json_body(request)
    if not isinstance(body, dict):
        raise _bad('body must be {"share": 0..1, "codes": [...], "records": N, "value": ..., "flowId": ...}')
    flow_id = body.pop("flowId", None)
    state = emulator_state(request)
    try:
        rows = None if flow_id and body.get("share") is None else FailedRows.from_dict(body)
    except (TypeError, ValueError) as exc:
        raise _bad(str(exc)) from None
    with state.lock:
        if flow_id:
            _, meta = _find_flow(request, str(flow_id))
            meta.failed_rows = rows
            return {"flowId": flow_id, "failedRows": rows.to_dict() if rows else None}
        assert rows is not None
        state.config.failed_rows = rows
        return {"failedRows": rows.to_dict()}


@router.post("/flows/{flow_id}/stale")
async def make_flow_stale(flow_id: str, request: Request) -> dict[str, Any]:
    """A flow whose source stopped delivering: its runs (and the flow's own timestamps) move
    ``age_seconds`` into the past (body ``{"age_seconds": 7200}``, default 2 h) and no new scheduled
    run starts (``{"stop": false}`` keeps it running)."""
    body = await json_body(request, required=False)
    body = body if isinstance(body, dict) else {}
    try:
        age_ms = int(float(body.get("age_seconds", 7200)) * 1000)
    except (TypeError, ValueError):
        raise _bad("age_seconds must be a number of seconds") from None
    if age_ms < 0:
        raise _bad("age_seconds must be >= 0")
    state = emulator_state(request)
    with state.lock:
        store, meta = _find_flow(request, flow_id)
        materialize(store, state.config)
        for run in store.runs.values():
            if run["flowId"] == flow_id:
                run["createdAt"] -= age_ms
        flow = store.flows[flow_id]
        for key in ("createdAt", "updatedAt"):
            if isinstance(flow.get(key), int):
                flow[key] -= age_ms
        meta.stopped = bool(body.get("stop", True))
        return {"id": flow_id, "agedSeconds": age_ms / 1000, "stopped": meta.stopped}


@router.post("/explore/{resource_path}/fields")
async def set_source_field(resource_path: str, request: Request) -> dict[str, Any]:
    """Make Stripe "add a field" (or retype one): body ``{"path": "risk_note", "schema": {"type":
    "string"}, "value": "...", "sandbox": "prod"}``. Explore answers (and the records runs ingest) of
    that resource path carry ``data.<path>`` from now on; ``path`` is dotted for nested fields."""
    body = await json_body(request)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("path"), str)
        or not body["path"]
        or not isinstance(body.get("schema"), dict)
    ):
        raise _bad('body must be {"path": "<field>", "schema": {...}, "value": ..., "sandbox": optional}')
    if resource_path not in RESOURCE_PATHS:
        raise _bad(f"resource_path must be one of {', '.join(RESOURCE_PATHS)}")
    state = emulator_state(request)
    sandbox = str(body.get("sandbox") or "prod")
    with state.lock:
        if sandbox not in state.sandboxes:
            raise _bad(f"no sandbox {sandbox!r}")
        source_changes.set_field(
            state.sandbox(sandbox), resource_path, body["path"], body["schema"], body.get("value")
        )
    return {"resourcePath": resource_path, "path": body["path"], "sandbox": sandbox}


@router.post("/explore/tables/{table}/columns")
async def set_table_column(table: str, request: Request) -> dict[str, Any]:
    """Make a table source "add a column" (or retype one): body ``{"name": "Note", "type": "string",
    "value": "...", "sandbox": "prod"}``. Explore answers of that table (and the rows runs ingest)
    carry the column from now on, as ``{"name", "type", "xdm": {"type"}}`` like the packaged ones."""
    body = await json_body(request)
    if not isinstance(body, dict) or not all(
        isinstance(body.get(k), str) and body[k] for k in ("name", "type")
    ):
        raise _bad('body must be {"name": "<column>", "type": "<type>", "value": ..., "sandbox": optional}')
    if table not in fixtures.paypal_tables():
        raise _bad(f"table must be one of {', '.join(fixtures.paypal_tables())}")
    state = emulator_state(request)
    sandbox = str(body.get("sandbox") or "prod")
    column = {"name": body["name"], "type": body["type"], "xdm": {"type": body["type"]}}
    with state.lock:
        if sandbox not in state.sandboxes:
            raise _bad(f"no sandbox {sandbox!r}")
        source_changes.set_column(state.sandbox(sandbox), table, column, body.get("value"))
    return {"table": table, "column": column, "sandbox": sandbox}


@router.get("/runs/{run_id}/output")
async def run_output(run_id: str, request: Request) -> dict[str, Any]:
    """What a run wrote: the mapping set version its flow used and the destinations that got a value."""
    state = emulator_state(request)
    with state.lock:
        for store in state.sandboxes.values():
            if run_id in store.runs:
                output: dict[str, Any] = copy.deepcopy(store.runs[run_id]["_output"])
                return output
    raise ApiError(404, {"title": "Not Found", "status": 404, "detail": f"No run with id {run_id}"})
