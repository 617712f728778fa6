"""XDM knowledge of the Schema Registry emulator: standard classes and field groups, field validation,
and resolution of a schema into the full (``xed-full``) view."""

from __future__ import annotations

import copy
import re
from typing import Any

from airflow_provider_stripe_aep.resources.platform import EXPERIENCE_EVENT_CLASS_ID, PROFILE_CLASS_ID

LONG_MIN = -9007199254740992
LONG_MAX = 9007199254740992
FIELD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
XDM_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array"})
STRING_FORMATS = frozenset(
    {"date", "date-time", "uri", "uri-reference", "email", "uuid", "regex", "ipv4", "ipv6"}
)

_S: dict[str, Any] = {"type": "string"}
_DT: dict[str, Any] = {"type": "string", "format": "date-time"}
_IDENTITY_MAP: dict[str, Any] = {
    "type": "object",
    "meta:xdmType": "map",
    "title": "Identity map",
    "additionalProperties": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "id": dict(_S),
                "authenticatedState": dict(_S),
                "primary": {"type": "boolean"},
            },
        },
    },
}
_AUDITABLE: dict[str, Any] = {
    "_repo": {"type": "object", "properties": {"createDate": dict(_DT), "modifyDate": dict(_DT)}},
    "createdByBatchID": {"type": "string", "format": "uri-reference"},
    "modifiedByBatchID": {"type": "string", "format": "uri-reference"},
    "repositoryCreatedBy": dict(_S),
    "repositoryLastModifiedBy": dict(_S),
}

CLASSES: dict[str, dict[str, Any]] = {
    PROFILE_CLASS_ID: {
        "title": "XDM Individual Profile",
        "meta:extends": [
            "https://ns.adobe.com/xdm/common/auditable",
            "https://ns.adobe.com/xdm/data/record",
        ],
        "behavior": "https://ns.adobe.com/xdm/data/record",
        "properties": {
            "_id": {"title": "Identifier", "type": "string", "format": "uri-reference"},
            "personID": {"title": "Person ID", "type": "string"},
            "identityMap": copy.deepcopy(_IDENTITY_MAP),
            **copy.deepcopy(_AUDITABLE),
        },
        "required": [],
    },
    EXPERIENCE_EVENT_CLASS_ID: {
        "title": "XDM ExperienceEvent",
        "meta:extends": ["https://ns.adobe.com/xdm/data/time-series"],
        "behavior": "https://ns.adobe.com/xdm/data/time-series",
        "properties": {
            "_id": {"title": "Identifier", "type": "string"},
            "timestamp": {"title": "Timestamp", **_DT},
            "eventType": {"title": "Event Type", "type": "string"},
            "eventMergeId": {"title": "ExperienceEvent merge ID", "type": "string"},
            "receivedTimestamp": {"title": "Received Timestamp", **_DT},
            "producedBy": {"title": "Produced By", "type": "string"},
            "identityMap": copy.deepcopy(_IDENTITY_MAP),
        },
        "required": ["_id", "timestamp"],
    },
}

GLOBAL_FIELD_GROUPS: dict[str, dict[str, Any]] = {
    "https://ns.adobe.com/xdm/context/profile-person-details": {
        "title": "Demographic Details",
        "meta:intendedToExtend": [PROFILE_CLASS_ID],
        "properties": {
            "person": {
                "type": "object",
                "properties": {
                    "name": {
                        "type": "object",
                        "properties": {
                            "firstName": dict(_S),
                            "lastName": dict(_S),
                            "middleName": dict(_S),
                            "fullName": dict(_S),
                            "courtesyTitle": dict(_S),
                            "suffix": dict(_S),
                        },
                    },
                    "birthDate": {"type": "string", "format": "date"},
                    "gender": dict(_S),
                },
            }
        },
    },
    "https://ns.adobe.com/xdm/context/profile-personal-details": {
        "title": "Personal Contact Details",
        "meta:intendedToExtend": [PROFILE_CLASS_ID],
        "properties": {
            "homeAddress": {
                "type": "object",
                "properties": {
                    "street1": dict(_S),
                    "city": dict(_S),
                    "stateProvince": dict(_S),
                    "postalCode": dict(_S),
                    "country": dict(_S),
                },
            },
            "personalEmail": {
                "type": "object",
                "properties": {"address": dict(_S), "primary": {"type": "boolean"}},
            },
            "mobilePhone": {
                "type": "object",
                "properties": {"number": dict(_S), "primary": {"type": "boolean"}},
            },
            "homePhone": {
                "type": "object",
                "properties": {"number": dict(_S), "primary": {"type": "boolean"}},
            },
        },
    },
}


def validate_field(node: Any, path: str, errors: list[str]) -> None:
    """Check one field definition (and its children) against the XDM rules of reference §3.3."""
    if not isinstance(node, dict):
        errors.append(f"{path}: a field definition must be an object")
        return
    kind = node.get("type")
    if kind not in XDM_TYPES:
        errors.append(f"{path}: 'type' must be one of {sorted(XDM_TYPES)}, got {kind!r}")
        return
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        if (
            not isinstance(low, int)
            or not isinstance(high, int)
            or isinstance(low, bool)
            or isinstance(high, bool)
        ):
            errors.append(f"{path}: an integer field needs integer 'minimum' and 'maximum'")
        elif low < LONG_MIN or high > LONG_MAX or low > high:
            errors.append(
                f"{path}: integer bounds must lie within [{LONG_MIN}, {LONG_MAX}] with minimum <= maximum"
            )
    elif kind == "string":
        fmt = node.get("format")
        if fmt is not None and fmt not in STRING_FORMATS:
            errors.append(f"{path}: unsupported string format {fmt!r}")
    elif kind == "array":
        if "items" not in node:
            errors.append(f"{path}: an array field needs 'items'")
        else:
            validate_field(node["items"], f"{path}[]", errors)
    elif kind == "object":
        if node.get("meta:xdmType") == "map":
            if "properties" in node:
                errors.append(f"{path}: a map must not have 'properties'")
            extra = node.get("additionalProperties")
            if not isinstance(extra, dict) or extra.get("type") not in ("string", "integer"):
                errors.append(f"{path}: a map needs 'additionalProperties' of type string or integer")
        else:
            validate_properties(node.get("properties"), path, errors)


def validate_properties(props: Any, path: str, errors: list[str]) -> None:
    if not isinstance(props, dict) or not props:
        errors.append(f"{path}: an object field needs a non-empty 'properties' object")
        return
    for name, child in props.items():
        if not FIELD_NAME.match(name):
            errors.append(
                f"{path}.{name}: field names may contain only letters, digits, '-' and '_' "
                "and must not start with '_'"
            )
            continue
        validate_field(child, f"{path}.{name}", errors)


def validate_field_group_body(body: dict[str, Any], tenant: str, errors: list[str]) -> None:
    """Rules for a tenant field group: intendedToExtend, definitions under ``_{tenant}``, allOf refs."""
    if not isinstance(body.get("title"), str) or not body["title"].strip():
        errors.append("title: required")
    extends = body.get("meta:intendedToExtend")
    if not isinstance(extends, list) or not all(isinstance(x, str) for x in extends):
        errors.append("meta:intendedToExtend: required, a list of class $ids")
    definitions = body.get("definitions")
    namespace = f"_{tenant}"
    if not isinstance(definitions, dict) or not definitions:
        errors.append("definitions: required, a non-empty object")
        definitions = {}
    for def_name, definition in definitions.items():
        where = f"definitions.{def_name}"
        props = definition.get("properties") if isinstance(definition, dict) else None
        if not isinstance(props, dict) or not props:
            errors.append(f"{where}: needs 'properties'")
            continue
        for key, value in props.items():
            if key != namespace:
                errors.append(
                    f"{where}.properties.{key}: custom fields must be nested under the tenant namespace "
                    f"'{namespace}'"
                )
                continue
            if not isinstance(value, dict) or value.get("type") != "object":
                errors.append(f"{where}.properties.{key}: the tenant namespace must be an object")
                continue
            validate_properties(value.get("properties"), f"{where}.properties.{key}", errors)
    all_of = body.get("allOf")
    if not isinstance(all_of, list) or not all_of:
        errors.append("allOf: required, a list of {'$ref': '#/definitions/...'}")
        return
    for entry in all_of:
        ref = entry.get("$ref") if isinstance(entry, dict) else None
        if not isinstance(ref, str):
            errors.append("allOf: every entry needs a '$ref'")
        elif ref.startswith("#/definitions/") and ref.removeprefix("#/definitions/") not in definitions:
            errors.append(f"allOf: {ref} does not point at a definition")


def field_group_properties(group: dict[str, Any]) -> dict[str, Any]:
    """The merged properties a field group contributes (its definitions, or a global group's properties)."""
    if "definitions" not in group:
        return copy.deepcopy(group.get("properties", {}))
    merged: dict[str, Any] = {}
    for definition in group["definitions"].values():
        merge_properties(merged, copy.deepcopy(definition.get("properties", {})), "", [])
    return merged


def merge_properties(target: dict[str, Any], source: dict[str, Any], path: str, conflicts: list[str]) -> None:
    """Deep-merge field definitions; a field defined twice with different types is a conflict."""
    for name, field in source.items():
        here = f"{path}.{name}" if path else name
        if name not in target:
            target[name] = field
            continue
        existing = target[name]
        if existing.get("type") != field.get("type"):
            conflicts.append(here)
            continue
        if existing.get("type") == "object" and "properties" in existing and "properties" in field:
            merge_properties(existing["properties"], field["properties"], here, conflicts)


def lookup_path(properties: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The field at a dot path (``_tenant.charges_data.outcome.risk_level``); ``a[*]`` enters arrays."""
    node: dict[str, Any] | None = {"type": "object", "properties": properties}
    for raw in path.split("."):
        segment = re.sub(r"\[[^\]]*\]$", "", raw)
        if node is not None and node.get("type") == "array":
            node = node.get("items")
        if node is None or node.get("type") != "object":
            return None
        child = node.get("properties", {}).get(segment)
        if child is None:
            return None
        if raw != segment:
            if child.get("type") != "array":
                return None
            child = child.get("items")
        node = child
    return node
