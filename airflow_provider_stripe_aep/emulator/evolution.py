"""Schema evolution rules of the Schema Registry (reference §8c, schema composition guide).

Once a schema has ingested data or is enabled for Profile, only additive changes are allowed: fields
may be added, never removed, renamed, retyped or moved. A field group used by such a schema is held
to the same rule. Written from the reference; no code shared with the client.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.emulator.config import EmulatorConfig
from airflow_provider_stripe_aep.emulator.flow_runs import materialize, render_run
from airflow_provider_stripe_aep.emulator.state import Resource, SandboxStore

INGESTED = ("success", "partialSuccess")


def _dataset_ids_with_data(store: SandboxStore, config: EmulatorConfig) -> set[str]:
    """Datasets a finished run wrote into (its target connections' ``params.dataSetId``)."""
    materialize(store, config)
    found: set[str] = set()
    for run in store.runs.values():
        if render_run(run, config)["metrics"]["statusSummary"]["status"] not in INGESTED:
            continue
        for target_id in run.get("_targets", []):
            dataset_id = (store.target_connections.get(target_id) or {}).get("params", {}).get("dataSetId")
            if dataset_id:
                found.add(str(dataset_id))
    return found


def _profile_enabled(schema: Resource, store: SandboxStore) -> bool:
    if "union" in (schema.get("meta:immutableTags") or []):
        return True
    for dataset in store.datasets.values():
        tags = dataset.get("tags") or {}
        if (dataset.get("schemaRef") or {}).get("id") == schema["$id"] and any(
            "enabled: true" in str(v) for v in tags.get("unifiedProfile", [])
        ):
            return True
    return False


def locked_reason(store: SandboxStore, config: EmulatorConfig, group_id: str) -> str | None:
    """Why only additive changes are allowed to this field group, or None when any change is."""
    with_data = _dataset_ids_with_data(store, config)
    for schema in store.schemas.values():
        if group_id not in schema.get("meta:extends", []):
            continue
        if _profile_enabled(schema, store):
            return f"schema {schema['$id']} is enabled for Profile"
        for dataset_id, dataset in store.datasets.items():
            if (dataset.get("schemaRef") or {}).get("id") == schema["$id"] and dataset_id in with_data:
                return f"dataset {dataset_id} of schema {schema['$id']} has ingested data"
    return None


def _leaves(node: Any, path: str, out: dict[str, str]) -> None:
    children = node.get("properties") if isinstance(node, dict) else None
    if isinstance(children, dict) and children:
        for name, child in children.items():
            _leaves(child, f"{path}/{name}", out)
        return
    if not isinstance(node, dict):
        out[path] = "?"
        return
    kind = str(node.get("type"))
    if kind == "array":
        _leaves(node.get("items") or {}, f"{path}[]", out)
        return
    extra = node.get("meta:xdmType") or node.get("format") or ""
    out[path] = f"{kind} {extra}".strip()


def fields_of(group: Resource) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, definition in (group.get("definitions") or {}).items():
        _leaves(definition, f"/definitions/{name}", out)
    return out


def breaking_changes(before: Resource, after: Resource) -> list[str]:
    """Fields of ``before`` that ``after`` removes or retypes (a move is a removal plus an add)."""
    old, new = fields_of(before), fields_of(after)
    changes = [f"{path}: removed" for path in sorted(old) if path not in new]
    changes += [
        f"{path}: type {old[path]} -> {new[path]}"
        for path in sorted(old)
        if path in new and old[path] != new[path]
    ]
    return changes
