"""What defines each kind of AEP resource, read the same way from the body we would send and from the
resource AEP holds, so that a same-named resource can be compared with what was asked.

Each function returns a flat dict keyed by the API's own dotted field names (so a difference reads
`data.schema.id: existing ... != asked ...`); a dict value is compared key by key and a list as a
multiset (see `idempotency.differences`). Fields AEP fills in itself (IDs, etags, timestamps, a
dataflow's `startTime`) and secrets (never returned) are not compared.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.resources.get_or_create import dig


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _compact(content_type: Any) -> str | None:
    """`application/vnd.adobe.xed-full+json; version=1` and its spelling without the space are one."""
    return None if content_type is None else "".join(str(content_type).split())


def base_connection_facts(connection: dict[str, Any]) -> dict[str, Any]:
    return {
        "connectionSpec.id": _text(dig(connection, "connectionSpec.id")),
        "auth.specName": _text(dig(connection, "auth.specName")),
    }


def source_connection_facts(connection: dict[str, Any]) -> dict[str, Any]:
    params = connection.get("params")
    return {
        "baseConnectionId": _text(connection.get("baseConnectionId")),
        "connectionSpec.id": _text(dig(connection, "connectionSpec.id")),
        "data.format": _text(dig(connection, "data.format")),
        "params": dict(params) if isinstance(params, dict) else {},
    }


def target_connection_facts(connection: dict[str, Any]) -> dict[str, Any]:
    return {
        "data.schema.id": _text(dig(connection, "data.schema.id")),
        "data.schema.version": _compact(dig(connection, "data.schema.version")),
        "params.dataSetId": _text(dig(connection, "params.dataSetId")),
    }


def dataset_facts(dataset: dict[str, Any]) -> dict[str, Any]:
    return {"schemaRef.id": _text(dig(dataset, "schemaRef.id"))}


def _field_type(prop: dict[str, Any]) -> str:
    kind = str(prop.get("type"))
    if prop.get("meta:xdmType") == "map" or (kind == "object" and "additionalProperties" in prop):
        values = prop.get("additionalProperties")
        return f"map<{values.get('type') if isinstance(values, dict) else '?'}>"
    if prop.get("format"):
        return f"{kind}/{prop['format']}"
    return kind


def _flatten(prop: Any, path: str, out: dict[str, str]) -> None:
    if not isinstance(prop, dict):
        out[path] = "?"
        return
    children = prop.get("properties")
    if prop.get("type") == "object" and isinstance(children, dict) and children:
        for key, child in children.items():
            _flatten(child, f"{path}.{key}", out)
    elif prop.get("type") == "array":
        _flatten(prop.get("items") or {}, f"{path}[]", out)
    else:
        out[path] = _field_type(prop)


def field_tree(field_group: dict[str, Any]) -> dict[str, str]:
    """Every leaf under the tenant namespace (`_<tenant>`) of a field group: `path -> type`, with
    `[]` for array items, `string/date-time` for a format and `map<string>` for maps."""
    tree: dict[str, str] = {}
    definitions = field_group.get("definitions")
    blocks = list(definitions.values()) if isinstance(definitions, dict) else []
    blocks.append(field_group)  # fields may also sit in the body's own `properties`
    for block in blocks:
        properties = block.get("properties") if isinstance(block, dict) else None
        for key, prop in (properties if isinstance(properties, dict) else {}).items():
            if str(key).startswith("_"):
                _flatten(prop, str(key), tree)
    return tree


def field_group_facts(field_group: dict[str, Any]) -> dict[str, Any]:
    extends = field_group.get("meta:intendedToExtend")
    return {
        "meta:intendedToExtend": sorted(map(str, extends)) if isinstance(extends, list) else [],
        "fields": field_tree(field_group),
    }


def _refs(schema: dict[str, Any]) -> list[str]:
    all_of = schema.get("allOf")
    return [str(part["$ref"]) for part in all_of or [] if isinstance(part, dict) and part.get("$ref")]


def schema_facts(schema: dict[str, Any]) -> dict[str, Any]:
    """The class (`meta:class`, or the first `allOf` reference as `build_schema` sends it) and the
    field groups (every other reference)."""
    refs = _refs(schema)
    klass = schema.get("meta:class") or (refs[0] if refs else None)
    return {"meta:class": _text(klass), "fieldGroups": sorted(ref for ref in refs if ref != klass)}


def _mapping_pair(mapping: dict[str, Any]) -> tuple[str, str]:
    if "destination" in mapping or "source" in mapping:
        source_type = mapping.get("sourceType") or "ATTRIBUTE"
        return str(mapping.get("destination")), f"{source_type} {mapping.get('source')}"
    return str(mapping.get("destinationXdmPath")), f"ATTRIBUTE {mapping.get('sourceAttribute')}"


def mapping_set_facts(mapping_set: dict[str, Any]) -> dict[str, Any]:
    """The output schema and every mapping as `destination -> "SOURCETYPE source"`."""
    mappings: dict[str, str] = {}
    for mapping in mapping_set.get("mappings") or []:
        if isinstance(mapping, dict):
            destination, source = _mapping_pair(mapping)
            mappings[destination] = " | ".join(sorted(filter(None, (mappings.get(destination), source))))
    schema_id = dig(mapping_set, "outputSchema.schemaRef.id") or mapping_set.get("xdmSchema")
    return {"outputSchema.schemaRef.id": _text(schema_id), "mappings": mappings}


def _mapping_transformation(flow: dict[str, Any]) -> dict[str, Any]:
    for transformation in flow.get("transformations") or []:
        if isinstance(transformation, dict) and str(transformation.get("name", "")).lower() == "mapping":
            params = transformation.get("params")
            return params if isinstance(params, dict) else {}
    return {}


MAPPING_VERSION_FACT = "transformations.Mapping.mappingVersion"
"""The `dataflow_facts` key of the mapping set version a flow uses."""

FLOW_FIELDS_FIXED_AT_CREATE = ("flowSpec", "sourceConnectionIds", "targetConnectionIds")
"""`dataflow_facts` keys not to change in place: Adobe advises new connections and a new flow
rather than changing these (reference §2.11)."""


def dataflow_facts(flow: dict[str, Any]) -> dict[str, Any]:
    """Connections, flow spec, mapping ID and version, and the schedule's frequency and interval
    (`startTime` is left out: an onboarding sends "now" every time)."""
    mapping = _mapping_transformation(flow)
    return {
        "flowSpec.id": _text(dig(flow, "flowSpec.id")),
        "sourceConnectionIds": list(flow.get("sourceConnectionIds") or []),
        "targetConnectionIds": list(flow.get("targetConnectionIds") or []),
        "transformations.Mapping.mappingId": _text(mapping.get("mappingId")),
        "transformations.Mapping.mappingVersion": _text(mapping.get("mappingVersion")),
        "scheduleParams.frequency": _text(dig(flow, "scheduleParams.frequency")),
        "scheduleParams.interval": _text(dig(flow, "scheduleParams.interval")),
    }
