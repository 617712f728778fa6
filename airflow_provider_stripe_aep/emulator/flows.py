"""Flow Service: dataflows, their actions, and runs (reference §2.6-§2.9, §2.11, §2.12)."""

from __future__ import annotations

import copy
import time
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from airflow_provider_stripe_aep.emulator import source_changes
from airflow_provider_stripe_aep.emulator.connections import invalid_spec, schema_mismatch
from airflow_provider_stripe_aep.emulator.data_prep import find_mapping_set, source_problems
from airflow_provider_stripe_aep.emulator.errors import flow_error, flow_invalid, flow_not_found
from airflow_provider_stripe_aep.emulator.flow_runs import (
    create_run,
    last_run_details,
    materialize,
    render_run,
)
from airflow_provider_stripe_aep.emulator.flowcommon import (
    PREFIX,
    audit_fields,
    check_if_match,
    created,
    patched,
    require_dict,
    single,
    spec_id_of,
    touch,
)
from airflow_provider_stripe_aep.emulator.gateway import Ctx, RequestContext, json_body, platform_context
from airflow_provider_stripe_aep.emulator.query import list_response
from airflow_provider_stripe_aep.emulator.schedule import render_schedule, validate_schedule
from airflow_provider_stripe_aep.emulator.specs import FLOW_SPECS
from airflow_provider_stripe_aep.emulator.state import (
    FlowMeta,
    Resource,
    SandboxStore,
    new_etag,
    new_id,
    now_ms,
)
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS, STRIPE_CONNECTION_SPEC_ID

router = APIRouter(prefix=PREFIX, dependencies=[Depends(platform_context)])

FLOW_FIELDS = (
    "name",
    "description",
    "flowSpec",
    "sourceConnectionIds",
    "targetConnectionIds",
    "transformations",
    "scheduleParams",
    "options",
    "labels",
)
PROTECTED = (
    "id",
    "flowSpec",
    "etag",
    "version",
    "state",
    "createdAt",
    "createdBy",
    "createdClient",
    "imsOrgId",
    "inheritedAttributes",
    "runs",
    "lastOperation",
    "lastRunDetails",
)


def _ids(body: dict[str, Any], key: str) -> list[str]:
    ids = body.get(key)
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise flow_invalid(f"'{key}' must be a non-empty list of IDs")
    return ids


def _source_schema(store: SandboxStore, source: Resource) -> dict[str, Any] | None:
    """The explore schema of a Stripe source connection (what Data Prep maps from)."""
    resource = source.get("params", {}).get("resourcePath")
    if source["connectionSpec"]["id"] != STRIPE_CONNECTION_SPEC_ID or resource not in RESOURCE_PATHS:
        return None
    schema: dict[str, Any] = source_changes.explore_response(store, resource)["schema"]
    return schema


def _check_sources(
    store: SandboxStore, mappings: list[Resource], sources: list[Resource], mapping_id: str
) -> None:
    for source in sources:
        schema = _source_schema(store, source)
        if schema is None:
            continue
        for mapping in mappings:
            problems = source_problems(mapping, schema)
            if problems:
                raise flow_error(
                    "1419-400",
                    "Invalid request",
                    f"Error while validating mapping with id {mapping_id} against source connection "
                    f"{source['id']}: {'; '.join(problems)}",
                )


def _check_mapping(
    store: SandboxStore, params: dict[str, Any], targets: list[Resource], sources: list[Resource]
) -> None:
    mapping_id = params.get("mappingId")
    mapping_set = find_mapping_set(store, mapping_id) if isinstance(mapping_id, str) else None
    if mapping_set is None:
        raise flow_error(
            "1419-400",
            "Invalid request",
            f"Error while validating mapping with id {mapping_id}, version {params.get('mappingVersion')}. "
            "The mapping set does not exist.",
        )
    raw_version = params.get("mappingVersion", 0)
    version: int | None = None
    if isinstance(raw_version, int) and not isinstance(raw_version, bool):
        version = raw_version
    elif isinstance(raw_version, str) and raw_version.isdigit():
        version = int(raw_version)
    if version is None or version >= len(mapping_set["_versions"]):
        raise flow_error(
            "1412-400",
            "Invalid request",
            "Invalid Mapping Version in request. Please provide correct mapping version.",
        )
    mapping_schema = mapping_set["_versions"][version]["xdmSchema"]
    _check_sources(store, mapping_set["_versions"][version]["mappings"], sources, str(mapping_id))
    for target in targets:
        target_schema = target.get("data", {}).get("schema", {}).get("id")
        if target_schema != mapping_schema:
            raise schema_mismatch(
                target.get("params", {}).get("dataSetId"), str(target_schema), mapping_schema
            )


def _validate_flow(store: SandboxStore, body: dict[str, Any]) -> dict[str, Any]:
    """Validate a flow body; return the normalised schedule."""
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise flow_invalid("'name' is required")
    spec_id = spec_id_of(body, "flowSpec")
    flow_spec = FLOW_SPECS.get(spec_id)
    if flow_spec is None:
        raise invalid_spec(spec_id, "flow spec")
    sources = []
    for source_id in _ids(body, "sourceConnectionIds"):
        source = store.source_connections.get(source_id)
        if source is None:
            raise flow_invalid(f"source connection '{source_id}' does not exist")
        if source["connectionSpec"]["id"] not in flow_spec["sourceConnectionSpecIds"]:
            raise flow_invalid(
                f"flow spec '{flow_spec['name']}' ({spec_id}) does not support the source connection spec "
                f"{source['connectionSpec']['id']} of '{source_id}'"
            )
        sources.append(source)
    targets = []
    for target_id in _ids(body, "targetConnectionIds"):
        target = store.target_connections.get(target_id)
        if target is None:
            raise flow_invalid(f"target connection '{target_id}' does not exist")
        if target["connectionSpec"]["id"] not in flow_spec["targetConnectionSpecIds"]:
            raise flow_invalid(
                f"flow spec '{flow_spec['name']}' does not support the target of '{target_id}'"
            )
        dataset = store.datasets.get(target.get("params", {}).get("dataSetId", ""))
        target_schema = target.get("data", {}).get("schema", {}).get("id")
        if dataset is None:
            raise flow_error(
                "2200-500",
                "External service request error",
                f"There was a problem while calling the Catalog service for validating schema: dataset of "
                f"target connection '{target_id}' not found.",
            )
        if dataset.get("schemaRef", {}).get("id") != target_schema:
            raise schema_mismatch(
                target["params"]["dataSetId"], str(dataset.get("schemaRef", {}).get("id")), str(target_schema)
            )
        targets.append(target)
    transformations = body.get("transformations", [])
    if not isinstance(transformations, list):
        raise flow_invalid("'transformations' must be a list")
    known = {t["name"] for t in flow_spec.get("transformationSpecs", [])}
    for item in transformations:
        item = require_dict(item, "transformations[]")
        name = item.get("name")
        if name not in known:
            raise flow_invalid(
                f"transformation '{name}' is not defined by flow spec '{flow_spec['name']}' "
                f"(allowed: {', '.join(sorted(known))})"
            )
        params = require_dict(item.get("params"), f"transformations[{name}].params")
        if name == "Mapping":
            _check_mapping(store, params, targets, sources)
        elif name == "Copy":
            delta = params.get("deltaColumn")
            if not isinstance(delta, dict) or not isinstance(delta.get("name"), str) or not delta["name"]:
                raise flow_invalid("transformations[Copy].params.deltaColumn.name is required")
    if "scheduleParams" not in body:
        raise flow_invalid("'scheduleParams' is required")
    return validate_schedule(body["scheduleParams"])


def _inherited(store: SandboxStore, flow: Resource) -> dict[str, Any]:
    def describe(resource: Resource | None, resource_id: str) -> dict[str, Any]:
        if resource is None:
            return {"id": resource_id}
        entry: dict[str, Any] = {
            "id": resource_id,
            "connectionSpec": copy.deepcopy(resource["connectionSpec"]),
        }
        base = store.connections.get(resource.get("baseConnectionId", ""))
        if base is not None:
            entry["baseConnection"] = {
                "id": base["id"],
                "connectionSpec": copy.deepcopy(base["connectionSpec"]),
            }
        return entry

    return {
        "sourceConnections": [
            describe(store.source_connections.get(i), i) for i in flow["sourceConnectionIds"]
        ],
        "targetConnections": [
            describe(store.target_connections.get(i), i) for i in flow["targetConnectionIds"]
        ],
        "properties": {"isSourceFlow": True},
    }


def _flow_view(ctx: RequestContext, flow: Resource) -> Resource:
    view = copy.deepcopy(flow)
    view["scheduleParams"] = render_schedule(flow["scheduleParams"], ctx.config.api_variant)
    view["inheritedAttributes"] = _inherited(ctx.store, flow)
    details = last_run_details(ctx.store, flow["id"], ctx.config)
    if details is not None:
        view["lastRunDetails"] = details
    return view


def _get_flow(store: SandboxStore, flow_id: str) -> Resource:
    flow = store.flows.get(flow_id)
    if flow is None:
        raise flow_not_found("flows", flow_id)
    return flow


CHANGEABLE_STATES = ("enabled", "disabled", "initializing")


def _check_changeable(flow: Resource, operation: str) -> None:
    """Update and delete are allowed only in these states (reference §2.11, ``1416-400``)."""
    if flow["state"] not in CHANGEABLE_STATES:
        raise flow_error(
            "1416-400",
            "Invalid request",
            f"The {operation} operation is not allowed on the flow {flow['id']} in its current state "
            f"'{flow['state']}'. Allowed states: {', '.join(CHANGEABLE_STATES)}.",
        )


def _last_operation(operation: str, started: int, ops: list[Any] | None = None) -> dict[str, Any]:
    return {
        "started": started,
        "updated": now_ms(),
        "operation": operation,
        "status": {"value": "completed", "errors": []},
        "ops": ops or [],
    }


@router.post("/flows", status_code=201)
async def create_flow(request: Request, ctx: Ctx) -> Response:
    body = require_dict(await json_body(request), "body")
    if "state" in body:
        raise flow_error("1410-400", "Invalid request", "State is not allowed in the create flow request.")
    schedule = _validate_flow(ctx.store, body)
    flow_id, etag = new_id(), new_etag()
    audit = audit_fields(ctx)
    flow: Resource = {"id": flow_id, **audit}
    for key in FLOW_FIELDS:
        if key in body:
            flow[key] = copy.deepcopy(body[key])
    flow.setdefault("description", "")
    flow.setdefault("transformations", [])
    flow["flowSpec"] = {"id": body["flowSpec"]["id"], "version": body["flowSpec"].get("version", "1.0")}
    flow["scheduleParams"] = schedule
    flow.update(
        {
            "state": "enabled",
            "etag": etag,
            "version": etag,
            "runs": f"/runs?property=flowId=={flow_id}",
            "lastOperation": _last_operation("create", audit["createdAt"]),
        }
    )
    ctx.store.flows[flow_id] = flow
    ctx.store.flow_meta[flow_id] = FlowMeta(
        org=ctx.org, next_run_at=max(float(schedule["startTime"]), time.time())
    )
    return created("flows", flow_id, etag)


@router.get("/flows")
async def list_flows(request: Request, ctx: Ctx) -> Any:
    materialize(ctx.store, ctx.config)
    items = [_flow_view(ctx, f) for f in ctx.store.flows.values()]
    return list_response(items, request.query_params, "flows", ctx.config.page_size)


@router.get("/flows/{flow_id}")
async def get_flow(flow_id: str, ctx: Ctx) -> Any:
    materialize(ctx.store, ctx.config)
    return single(_flow_view(ctx, _get_flow(ctx.store, flow_id)))


@router.patch("/flows/{flow_id}")
async def patch_flow(flow_id: str, request: Request, ctx: Ctx) -> Any:
    flow = _get_flow(ctx.store, flow_id)
    _check_changeable(flow, "update")
    check_if_match(request, flow)
    operations = await json_body(request)
    updated = patched(flow, operations, PROTECTED)
    schedule = _validate_flow(ctx.store, updated)
    old_start = flow["scheduleParams"]["startTime"]
    if schedule["startTime"] != old_start and old_start <= time.time():
        raise flow_invalid(
            "scheduleParams.startTime cannot be changed once the original startTime has passed"
        )
    updated["scheduleParams"] = schedule
    updated["lastOperation"] = _last_operation("update", now_ms(), operations)
    touch(updated, ctx, new_etag())
    ctx.store.flows[flow_id] = updated
    meta = ctx.store.flow_meta[flow_id]
    if flow["scheduleParams"] != schedule:
        if meta.run_count == 0:
            meta.next_run_at = max(float(schedule["startTime"]), time.time())
        elif schedule["frequency"] != "once":
            meta.next_run_at = time.time() + ctx.config.run_interval_seconds
        else:
            meta.next_run_at = None
    return {"id": flow_id, "etag": updated["etag"]}


@router.post("/flows/{flow_id}/action")
async def flow_action(flow_id: str, request: Request, ctx: Ctx) -> Any:
    flow = _get_flow(ctx.store, flow_id)
    op = request.query_params.get("op", "").lower()
    if op not in ("enable", "disable"):
        raise flow_invalid(
            f"Unsupported action '{request.query_params.get('op')}'; use op=enable or op=disable"
        )
    target = "enabled" if op == "enable" else "disabled"
    if flow["state"] != ("disabled" if op == "enable" else "enabled"):
        raise flow_error(
            "1422-400",
            "Invalid request",
            f"The action {op} cannot be applied on the current state {flow['state']}. "
            "Please update the action "
            "and try again.",
        )
    if request.headers.get("if-match"):
        check_if_match(request, flow)
    materialize(ctx.store, ctx.config)
    flow["state"] = target
    flow["lastOperation"] = _last_operation(op, now_ms())
    touch(flow, ctx, new_etag())
    meta = ctx.store.flow_meta[flow_id]
    if target == "enabled":
        if meta.run_count == 0:
            meta.next_run_at = max(float(flow["scheduleParams"]["startTime"]), time.time())
        elif flow["scheduleParams"]["frequency"] != "once":
            meta.next_run_at = time.time() + ctx.config.run_interval_seconds
    return {"id": flow_id, "etag": flow["etag"]}


@router.delete("/flows/{flow_id}", status_code=204)
async def delete_flow(flow_id: str, ctx: Ctx) -> Response:
    _check_changeable(_get_flow(ctx.store, flow_id), "delete")
    del ctx.store.flows[flow_id]
    ctx.store.flow_meta.pop(flow_id, None)
    return Response(status_code=204)


# ---------------------------------------------------------------- runs
def _run_view(run: Resource, ctx: RequestContext) -> Resource:
    """A run as GET answers it; the spec's FlowRunItemDTO spells the activities array ``activites``
    (reference §2.8: a typo in the spec; live examples say ``activities``)."""
    rendered = render_run(run, ctx.config)
    if ctx.config.api_variant == "spec" and "activities" in rendered:
        rendered["activites"] = rendered.pop("activities")
    return rendered


@router.get("/runs")
async def list_runs(request: Request, ctx: Ctx) -> Any:
    materialize(ctx.store, ctx.config)
    items = [_run_view(r, ctx) for r in ctx.store.runs.values()]
    return list_response(items, request.query_params, "runs", ctx.config.page_size)


@router.get("/runs/{run_id}")
async def get_run(run_id: str, ctx: Ctx) -> Any:
    materialize(ctx.store, ctx.config)
    run = ctx.store.runs.get(run_id)
    if run is None:
        raise flow_not_found("runs", run_id)
    rendered = _run_view(run, ctx)
    # The monitoring guide shows GET /runs/{id} as {"items": [run]}; aepp unwraps "items" only when it is
    # there (reference §2.1), i.e. Adobe's own client also reads a bare run object.
    return rendered if ctx.config.api_variant == "spec" else single(rendered)


RUN_WINDOW_PARAMS = ("startTime", "windowStartTime", "windowEndTime")
EPOCH_MS_FROM = 10**11
"""Ten-digit values are epoch seconds, thirteen-digit ones milliseconds: the on-demand guide says "unix
time" and shows seconds; the spec's field text says "epoch ms" but its examples are seconds too
(reference §2.9, §9). Neither document says what the service does with the other unit."""


def _epoch_seconds(params: dict[str, Any], name: str, api_variant: str) -> int:
    """A run window time: under the tutorial a string of digits or an integer (the guide sends strings;
    the spec, of the same service, integers); under the spec an integer (its ``type: integer``)."""
    if name not in params:
        raise flow_invalid(f"params.{name} (epoch time) is required for an on-demand run")
    value = params[name]
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif api_variant == "tutorial" and isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        allowed = "an integer" if api_variant == "spec" else "an integer or a string of digits"
        raise flow_invalid(f"params.{name} must be epoch time ({allowed}), got {value!r}")
    return number // 1000 if number >= EPOCH_MS_FROM else number


def _run_params(meta: FlowMeta, params: Any, api_variant: str) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise flow_invalid(
            "'params' is required and must be an object with startTime, windowStartTime, windowEndTime"
        )
    start, window_start, window_end = (
        _epoch_seconds(params, name, api_variant) for name in RUN_WINDOW_PARAMS
    )
    del start
    if window_start > window_end:
        raise flow_invalid(
            f"params.windowStartTime ({window_start}) must not be after params.windowEndTime ({window_end})"
        )
    if "deltaColumn" in params:
        delta = params["deltaColumn"]
        if not isinstance(delta, dict) or not isinstance(delta.get("name"), str) or not delta["name"]:
            raise flow_invalid(
                'params.deltaColumn must be an object with a "name", e.g. {"name": "updatedAt"}'
            )
        if meta.delta_column is not None and meta.delta_column != delta:
            raise flow_invalid(
                "params.deltaColumn cannot be changed after the first run of a dataflow "
                f"(first run used {meta.delta_column!r})"
            )
        meta.delta_column = copy.deepcopy(delta)
    return params


def _window_ms(params: dict[str, Any]) -> tuple[int, int]:
    """The requested window in epoch milliseconds (units read as `EPOCH_MS_FROM` says)."""

    def ms(name: str) -> int:
        value = int(str(params[name]).strip())
        return value if value >= EPOCH_MS_FROM else value * 1000

    return ms("windowStartTime"), ms("windowEndTime")


@router.post("/runs", status_code=201)
async def create_on_demand_run(request: Request, ctx: Ctx) -> Any:
    """On-demand run (reference §2.9). The run shows its window where monitor.md documents it
    (copyActivity's ``durationSummary.extensions.windowStart/windowEnd``, epoch milliseconds); it does
    not echo the request's ``params`` (FlowRunItemDTO has none)."""
    body = require_dict(await json_body(request), "body")
    flow_id = body.get("flowId")
    if not isinstance(flow_id, str) or not flow_id:
        raise flow_error(
            "1446-400",
            "Invalid request",
            "The flow ID cannot be null or empty. Please update the flow ID and try again.",
        )
    flow = ctx.store.flows.get(flow_id)
    if flow is None:
        raise flow_error("1430-400", "Invalid request", f"Flow not found with id {flow_id}.")
    if flow["scheduleParams"]["frequency"] != "once":
        raise flow_invalid(
            "on-demand runs need a dataflow scheduled with frequency 'once'; this dataflow's frequency is "
            f"'{flow['scheduleParams']['frequency']}'"
        )
    meta = ctx.store.flow_meta[flow_id]
    params = _run_params(meta, body.get("params"), ctx.config.api_variant)
    materialize(ctx.store, ctx.config)
    run = create_run(
        ctx.store,
        flow,
        meta,
        time.time(),
        "one-time",
        outcome=ctx.config.run_outcome,
        window_ms=_window_ms(params),
        failed_rows=ctx.config.failed_rows,
    )
    created_run = {"id": run["id"], "etag": run["etag"]}
    if ctx.config.api_variant == "spec":  # CreateFlowRunResponse of flow-service.yaml
        return JSONResponse(created_run, status_code=201)
    return JSONResponse({"items": [created_run]}, status_code=201)  # on-demand-ingestion.md


@router.post("/runs/{run_id}/action")
async def run_action(run_id: str, request: Request, ctx: Ctx) -> Any:
    run = ctx.store.runs.get(run_id)
    if run is None:
        raise flow_not_found("runs", run_id)
    if request.query_params.get("op", "").upper() != "RE_TRIGGER":
        raise flow_invalid("Unsupported run action; use op=RE_TRIGGER")
    flow = ctx.store.flows.get(run["flowId"])
    if flow is None:
        raise flow_error("1430-400", "Invalid request", f"Flow not found with id {run['flowId']}.")
    new = create_run(
        ctx.store,
        flow,
        ctx.store.flow_meta[flow["id"]],
        time.time(),
        "one-time",
        outcome=ctx.config.run_outcome,
        window_ms=run.get("_window_ms"),
        failed_rows=ctx.config.failed_rows,
    )
    return {"id": new["id"], "etag": new["etag"]}
