"""The plan of an onboarding: what a run would create, keep, update, or stop at, and the requests it
would send - worked out from what AEP holds (read with GETs only) without changing anything.

Pure: the hook reads (`AdobeExperiencePlatformHook.observe_onboarding`), these functions decide with
the same rules the run's steps apply (`facts`, `get_or_create.changed_fields`, `schema_drift`,
`dataflow_patch`). A resource that does not exist yet gives its dependants a placeholder instead of an
ID (`NEW`), so a dependant that exists is a conflict (it refers to another resource) and one that does
not is a `create`; no ID is guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NamedTuple

from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.resources.dataflow_patch import plan_dataflow_patch
from airflow_provider_stripe_aep.resources.facts import (
    FLOW_FIELDS_FIXED_AT_CREATE,
    MAPPING_VERSION_FACT,
    base_connection_facts,
    dataflow_facts,
    dataset_facts,
    field_group_facts,
    mapping_set_facts,
    schema_facts,
    source_connection_facts,
    target_connection_facts,
)
from airflow_provider_stripe_aep.resources.get_or_create import changed_fields
from airflow_provider_stripe_aep.resources.naming import OnboardingNames
from airflow_provider_stripe_aep.resources.schema_drift import (
    extended_mapping_set,
    field_drift,
    field_group_add_ops,
    mapping_drift,
)
from airflow_provider_stripe_aep.sources import stripe
from airflow_provider_stripe_aep.validation import InvalidInputError

Action = Literal["create", "keep", "update", "conflict", "refused"]
ACTIONS: tuple[str, ...] = ("create", "keep", "update", "conflict", "refused")

FLOW = "/data/foundation/flowservice"
REGISTRY = "/data/foundation/schemaregistry"
CATALOG = "/data/foundation/catalog"
CONVERSION = "/data/foundation/conversion"


def new(kind: str) -> str:
    """What stands for the ID of a resource the run would create."""
    return f"<new {kind}>"


class Observed(NamedTuple):
    """What AEP holds for one onboarding (None: not there). `explore` is None when the base
    connection does not exist yet (explore needs it); `field_group` is as stored (`xed+json`)."""

    base_connection: dict[str, Any] | None
    source_connection: dict[str, Any] | None
    explore: dict[str, Any] | None
    tenant_id: str
    field_group: dict[str, Any] | None
    schema: dict[str, Any] | None
    dataset: dict[str, Any] | None
    target_connection: dict[str, Any] | None
    mapping_set: dict[str, Any] | None
    dataflow: dict[str, Any] | None


class SourceFacts(NamedTuple):
    """What the source's own resources are asked with: Stripe's by default (`stripe_source`), or a
    table-based source's (connection spec, auth spec name, `tabular`, `{"path": table}`, flow spec)."""

    connection_spec_id: str
    auth_spec_name: str
    data_format: str
    params: dict[str, Any]
    flow_spec_id: str = platform.REST_FLOW_SPEC_ID


def stripe_source(resource_path: str) -> SourceFacts:
    return SourceFacts(
        stripe.STRIPE_CONNECTION_SPEC_ID,
        stripe.STRIPE_AUTH_SPEC_NAME,
        stripe.STRIPE_DATA_FORMAT,
        {"resourcePath": resource_path},
    )


class Wanted(NamedTuple):
    """What the run would ask for: the field group and mapping set bodies (None when the explore is
    not known yet), the dataflow's schedule (`validate_schedule` output), and the source's facts
    (None: Stripe's, for `resource_path`)."""

    resource_path: str
    field_group: dict[str, Any] | None
    class_id: str
    mappings: list[dict[str, Any]] | None
    schedule: dict[str, Any]
    source: SourceFacts | None = None


def _id(resource: Mapping[str, Any] | None) -> str | None:
    if resource is None:
        return None
    return str(resource.get("id") or resource.get("$id"))


def _changes(existing: dict[str, Any], expected: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"field": f, "old": old, "new": new_} for f, old, new_ in changed_fields(existing, expected)]


def _entry(kind: str, name: str, action: str, resource_id: str | None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"kind": kind, "name": name, "action": action, "id": resource_id}
    entry.update({k: v for k, v in extra.items() if v not in (None, [], "")})
    return entry


def _request(method: str, path: str, body: Any = None, *, note: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": method, "path": path}
    if body is not None:
        request["body"] = body
    if note:
        request["note"] = note
    return request


def _simple(
    kind: str,
    name: str,
    existing: dict[str, Any] | None,
    facts: Any,
    wanted_body: dict[str, Any],
    create: dict[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """create / keep / conflict for a resource no policy can change in place."""
    if existing is None:
        return _entry(kind, name, "create", None), [create]
    changes = _changes(facts(existing), facts(wanted_body))
    if not changes:
        return _entry(kind, name, "keep", _id(existing)), []
    return _entry(kind, name, "conflict", _id(existing), changes=changes), []


def plan_onboarding(
    names: OnboardingNames,
    observed: Observed,
    wanted: Wanted,
    *,
    on_conflict: str = "fail",
    on_schema_change: str = "fail",
    now: int | None = None,
) -> dict[str, Any]:
    """`{"resources": [...], "requests": [...], "summary": {action: count}}`, resources in the order
    the run handles them, each `{kind, name, action, id, changes?, reason?}`; `requests` are the writes
    the run would send (`method`, `path`, `body` where it says what changes)."""
    resources: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    source = wanted.source or stripe_source(wanted.resource_path)

    def add(result: tuple[dict[str, Any], list[dict[str, Any]]]) -> str:
        entry, sent = result
        resources.append(entry)
        requests.extend(sent)
        return entry["id"] if entry["action"] != "create" else new(entry["kind"])

    base_id = add(
        _simple(
            "base connection",
            names.base_connection,
            observed.base_connection,
            base_connection_facts,
            {
                "connectionSpec": {"id": source.connection_spec_id},
                "auth": {"specName": source.auth_spec_name},
            },
            _request("POST", f"{FLOW}/connections", note=names.base_connection),
        )
    )
    source_id = add(
        _simple(
            "source connection",
            names.source_connection,
            observed.source_connection,
            source_connection_facts,
            {
                "baseConnectionId": base_id,
                "connectionSpec": {"id": source.connection_spec_id},
                "data": {"format": source.data_format},
                "params": source.params,
            },
            _request("POST", f"{FLOW}/sourceConnections", note=names.source_connection),
        )
    )
    group_id = add(_field_group(names, observed, wanted, on_schema_change))
    schema_id = add(
        _simple(
            "schema",
            names.schema,
            observed.schema,
            schema_facts,
            {"allOf": [{"$ref": wanted.class_id}, {"$ref": group_id}]},
            _request("POST", f"{REGISTRY}/tenant/schemas", note=names.schema),
        )
    )
    dataset_id = add(
        _simple(
            "dataset",
            names.dataset,
            observed.dataset,
            dataset_facts,
            {"schemaRef": {"id": schema_id}},
            _request("POST", f"{CATALOG}/dataSets", note=names.dataset),
        )
    )
    target_id = add(
        _simple(
            "target connection",
            names.target_connection,
            observed.target_connection,
            target_connection_facts,
            {
                "data": {"schema": {"id": schema_id, "version": platform.XED_FULL_CONTENT_TYPE}},
                "params": {"dataSetId": dataset_id},
            },
            _request("POST", f"{FLOW}/targetConnections", note=names.target_connection),
        )
    )
    mapping_entry, mapping_requests, version = _mapping_set(
        names, observed, wanted, schema_id, on_schema_change
    )
    resources.append(mapping_entry)
    requests.extend(mapping_requests)
    mapping_id = mapping_entry["id"] if mapping_entry["action"] != "create" else new("mapping set")
    flow_entry, flow_requests = _dataflow(
        names,
        observed,
        wanted,
        (source_id, target_id, mapping_id, version),
        on_conflict,
        on_schema_change,
        now,
    )
    resources.append(flow_entry)
    requests.extend(flow_requests)
    summary = {action: sum(1 for r in resources if r["action"] == action) for action in ACTIONS}
    return {"resources": resources, "requests": requests, "summary": summary}


def _field_group(
    names: OnboardingNames, observed: Observed, wanted: Wanted, on_schema_change: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    kind, name, existing = "field group", names.field_group, observed.field_group
    create = _request("POST", f"{REGISTRY}/tenant/fieldgroups", note=name)
    if existing is None:
        return _entry(kind, name, "create", None), [create]
    group_id = _id(existing)
    if wanted.field_group is None:
        reason = "not compared: the explore response needs the base connection, which the run creates"
        return _entry(kind, name, "keep", group_id, reason=reason), []
    have, want = field_group_facts(existing), field_group_facts(wanted.field_group)
    others = _changes(
        {k: v for k, v in have.items() if k != "fields"}, {k: v for k, v in want.items() if k != "fields"}
    )
    drift = field_drift(existing, wanted.field_group)
    if others or (not drift.empty and on_schema_change == "fail"):
        return _entry(kind, name, "conflict", group_id, changes=others + _field_changes(drift)), []
    if drift.empty:
        return _entry(kind, name, "keep", group_id), []
    if on_schema_change == "ignore":
        reason = "on_schema_change='ignore': the source's field changes are not carried"
        return _entry(kind, name, "keep", group_id, changes=_field_changes(drift), reason=reason), []
    if not drift.additive:
        return _entry(
            kind, name, "refused", group_id, changes=_field_changes(drift), reason="; ".join(drift.refusals())
        ), []
    ops = field_group_add_ops(existing, wanted.field_group)
    patch = _request("PATCH", f"{REGISTRY}/tenant/fieldgroups/{group_id}", ops)
    return _entry(kind, name, "update", group_id, changes=_field_changes(drift)), [patch]


def _field_changes(drift: Any) -> list[dict[str, Any]]:
    changes = [{"field": f"fields.{p}", "old": None, "new": t} for p, t in sorted(drift.added.items())]
    changes += [{"field": f"fields.{p}", "old": t, "new": None} for p, t in sorted(drift.removed.items())]
    changes += [{"field": f"fields.{p}", "old": o, "new": n} for p, (o, n) in sorted(drift.retyped.items())]
    return changes


def _mapping_set(
    names: OnboardingNames, observed: Observed, wanted: Wanted, schema_id: str, on_schema_change: str
) -> tuple[dict[str, Any], list[dict[str, Any]], int | str]:
    kind, name, existing = "mapping set", names.mapping_set, observed.mapping_set
    validate = _request("POST", f"{CONVERSION}/mappingSets/validate", note="Data Prep's validation")
    if existing is None:
        create = _request("POST", f"{CONVERSION}/mappingSets", note=name)
        return _entry(kind, name, "create", None), [validate, create], 0
    mapping_id, version = _id(existing), int(existing.get("version") or 0)
    if wanted.mappings is None:
        reason = "not compared: the explore response needs the base connection, which the run creates"
        return _entry(kind, name, "keep", mapping_id, reason=reason, version=version), [], version
    body = {"outputSchema": {"schemaRef": {"id": schema_id}}, "mappings": wanted.mappings}
    have, want = mapping_set_facts(existing), mapping_set_facts(body)
    schema_changes = _changes(
        {"outputSchema.schemaRef.id": have["outputSchema.schemaRef.id"]},
        {"outputSchema.schemaRef.id": want["outputSchema.schemaRef.id"]},
    )
    drift = mapping_drift(existing, body)
    changes = [{"field": f"mappings.{d}", "old": None, "new": s} for d, s in sorted(drift.added.items())]
    changes += [{"field": f"mappings.{d}", "old": s, "new": None} for d, s in sorted(drift.removed.items())]
    changes += [{"field": f"mappings.{d}", "old": o, "new": n} for d, (o, n) in sorted(drift.changed.items())]
    if schema_changes or (not drift.empty and on_schema_change == "fail"):
        return _entry(kind, name, "conflict", mapping_id, changes=schema_changes + changes), [], version
    if drift.empty:
        return _entry(kind, name, "keep", mapping_id, version=version), [], version
    if on_schema_change == "ignore":
        reason = "on_schema_change='ignore': version kept"
        return (
            _entry(kind, name, "keep", mapping_id, changes=changes, reason=reason, version=version),
            [],
            version,
        )
    if not drift.additive:
        return (
            _entry(kind, name, "refused", mapping_id, changes=changes, reason="; ".join(drift.refusals())),
            [],
            version,
        )
    put = _request(
        "PUT",
        f"{CONVERSION}/mappingSets/{mapping_id}",
        note=f"version {version + 1}: {len(extended_mapping_set(existing, body)['mappings'])} mappings",
    )
    entry = _entry(kind, name, "update", mapping_id, changes=changes, version=version + 1)
    return entry, [validate, put], version + 1


def _dataflow(
    names: OnboardingNames,
    observed: Observed,
    wanted: Wanted,
    ids: tuple[str, str, str, int | str],
    on_conflict: str,
    on_schema_change: str,
    now: int | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    source_id, target_id, mapping_id, version = ids
    kind, name, existing = "dataflow", names.dataflow, observed.dataflow
    if existing is None:
        return _entry(kind, name, "create", None), [_request("POST", f"{FLOW}/flows", note=name)]
    flow_id = _id(existing)
    body = {
        "flowSpec": {"id": (wanted.source or stripe_source(wanted.resource_path)).flow_spec_id},
        "sourceConnectionIds": [source_id],
        "targetConnectionIds": [target_id],
        "transformations": [
            {"name": "Mapping", "params": {"mappingId": mapping_id, "mappingVersion": version}}
        ],
        "scheduleParams": wanted.schedule,
    }
    changes = _changes(dataflow_facts(existing), dataflow_facts(body))
    if not changes:
        return _entry(kind, name, "keep", flow_id), []
    fixed = [c for c in changes if c["field"].startswith(FLOW_FIELDS_FIXED_AT_CREATE)]
    mapping_only = all(c["field"] == MAPPING_VERSION_FACT for c in changes)
    if fixed or not (on_conflict == "update" or (mapping_only and on_schema_change == "extend")):
        return _entry(kind, name, "conflict", flow_id, changes=changes), []
    wanted_changes: dict[str, Any] = {"mapping_id": mapping_id, "mapping_version": version}
    if on_conflict == "update":
        wanted_changes.update(
            frequency=wanted.schedule["frequency"], interval=wanted.schedule.get("interval")
        )
        if "backfill" in wanted.schedule:
            wanted_changes["backfill"] = wanted.schedule["backfill"]
    try:
        ops = plan_dataflow_patch(existing, wanted_changes, now=now)
    except InvalidInputError as exc:
        return _entry(kind, name, "refused", flow_id, changes=changes, reason=str(exc)), []
    patch = _request("PATCH", f"{FLOW}/flows/{flow_id}", ops, note="If-Match: the etag read just before")
    return _entry(kind, name, "update", flow_id, changes=changes), [patch]


def render(plan: Mapping[str, Any]) -> str:
    """The plan as text, one line per resource and per request (for the task log)."""
    lines = []
    for r in plan["resources"]:
        suffix = f" ({r['id']})" if r.get("id") else ""
        lines.append(f"{r['action']:>8}  {r['kind']} {r['name']!r}{suffix}")
        for change in r.get("changes", []):
            lines.append(f"          {change['field']}: {change['old']!r} -> {change['new']!r}")
        if r.get("reason"):
            lines.append(f"          {r['reason']}")
    lines.append("Requests the run would send:" if plan["requests"] else "The run would send no write.")
    lines += [
        f"  {q['method']} {q['path']}" + (f"  # {q['note']}" if q.get("note") else "")
        for q in plan["requests"]
    ]
    summary = ", ".join(f"{n} {a}" for a, n in plan["summary"].items() if n)
    return "\n".join([f"Plan: {summary}", *lines])
