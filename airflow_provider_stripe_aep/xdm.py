"""Flow Service explore schema → XDM field group, schema and Data Prep mapping set (pure functions).

The explore response of a Stripe resource path looks like::

    {"format": "hierarchical",
     "schema": {"type": "object", "properties": {"data": {"type": "object", "properties": {...}}}}}

The Stripe fields sit under ``data``. They become a custom field group whose fields live under
``_<tenant>.<resource>_data`` (the destinations the Stripe tutorial maps to), and one Data Prep mapping
per leaf field from ``data.<path>`` to ``_<tenant>.<resource>_data.<sanitized path>``.

Field names are sanitized (XDM allows only alphanumerics, ``-`` and ``_`` and no leading ``_``), so the
field group and the mappings are both derived from one walk over the explore schema and always agree.
No Airflow import, no HTTP, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from airflow_provider_stripe_aep.stripe import (
    EXPERIENCE_EVENT_CLASS_ID,
    PROFILE_CLASS_ID,
    XED_FULL_CONTENT_TYPE,
)
from airflow_provider_stripe_aep.validation import (
    CLASS_SHORTHANDS,
    InvalidInputError,
    validate_choice,
    validate_class_id,
    validate_id,
    validate_name,
)

__all__ = [
    "EE_TIMESTAMP_EXPRESSION",
    "LONG_MAX",
    "LONG_MIN",
    "EmptyObjects",
    "ExploreSchemaError",
    "build_field_group",
    "build_mapping_set",
    "build_schema",
    "check_mappings",
    "explore_data_properties",
    "explore_to_xdm_properties",
    "infer_mappings",
    "leaf_paths",
    "normalize_mapping",
    "sanitize_field_name",
    "sanitize_properties",
]

EmptyObjects = Literal["omit", "map"]
EMPTY_OBJECT_CHOICES: tuple[str, ...] = ("omit", "map")

#: XDM ``long`` bounds as the field-group tutorial (custom-fields-api.md) writes them. Explore reports
#: ``maximum`` 9007199254740991; the Schema Registry documents ±9007199254740992 for ``long``.
LONG_MIN = -9007199254740992
LONG_MAX = 9007199254740992

#: The source prefix of every Stripe field in Data Prep (``data.payment_method_details.card.last4``).
SOURCE_ROOT = "data"

#: ExperienceEvent ``timestamp`` from Stripe's ``created`` (epoch **seconds**). Data Prep's ``dformat``
#: "converts a timestamp to a date string according to a specified format"; its TIMESTAMP "is written in
#: milliseconds", example ``dformat(1571829875000, "yyyy-MM-dd'T'HH:mm:ss.SSSX")`` →
#: ``2019-10-23T11:24:35.000Z`` (AdobeDocs/experience-platform.en help/data-prep/functions.md, "Date and
#: time functions"). Hence the ``* 1000``; the expression language is JEXL-like (its reserved words
#: include ``div``/``mod``), so ``*`` is its multiplication operator.
EE_TIMESTAMP_EXPRESSION = "dformat(data.created * 1000, \"yyyy-MM-dd'T'HH:mm:ss.SSSX\")"

_SOURCE_TYPES: tuple[str, ...] = ("ATTRIBUTE", "EXPRESSION", "STATIC")
_EE_CLASS_FIELDS = frozenset({"_id", "timestamp"})
_INVALID_CHARS = re.compile(r"[^A-Za-z0-9_-]")
_SOURCE_REF = re.compile(r"(?<![\w.$])data(?:\.[A-Za-z0-9_$-]+)+")
_UNESCAPED_DOT = re.compile(r"(?<!\\)\.")


class ExploreSchemaError(ValueError):
    """The explore response cannot be turned into XDM as asked (unexpected shape, missing fields)."""


# --------------------------------------------------------------------------------------------------
# Field names
# --------------------------------------------------------------------------------------------------


def sanitize_field_name(name: str) -> str:
    """Return a valid XDM field name for ``name``; deterministic, identity for valid names.

    Rules, in order: accents are folded to ASCII (``é`` → ``e``); every character other than ``A-Z``,
    ``a-z``, ``0-9``, ``-`` and ``_`` becomes ``_``; leading ``_`` and ``-`` are removed (XDM names cannot
    start with ``_``); a name starting with a digit gets the prefix ``f_`` (Data Prep identifiers must
    start with a letter); an empty result becomes ``field``. Collisions between siblings are resolved
    by :func:`sanitize_properties`.
    """
    folded = unicodedata.normalize("NFKD", str(name))
    ascii_name = "".join(ch for ch in folded if not unicodedata.combining(ch))
    cleaned = _INVALID_CHARS.sub("_", ascii_name).lstrip("_-")
    if not cleaned:
        return "field"
    if cleaned[0].isdigit():
        return f"f_{cleaned}"
    return cleaned


def sanitize_properties(names: Iterable[str]) -> dict[str, str]:
    """Map each sibling field name to a unique sanitized name (original → sanitized).

    Names that are already valid keep their name. The others are sanitized in sorted order and, on a
    collision, get the first free suffix ``_2``, ``_3``... Uniqueness is checked case-insensitively
    (a precaution for case-insensitive storage). The result does not depend on the input order.
    """
    originals = sorted(set(names))
    result: dict[str, str] = {}
    taken: set[str] = set()
    for name in originals:  # valid names first, so they are never renamed
        if sanitize_field_name(name) == name and name.lower() not in taken:
            result[name] = name
            taken.add(name.lower())
    for name in originals:
        if name in result:
            continue
        base = sanitize_field_name(name)
        candidate, counter = base, 2
        while candidate.lower() in taken:
            candidate, counter = f"{base}_{counter}", counter + 1
        result[name] = candidate
        taken.add(candidate.lower())
    return result


def _humanize(name: str) -> str:
    """``amount_captured`` → ``Amount Captured`` (field groups carry a title on every field)."""
    words = [w for w in re.split(r"[_\-\s]+", name) if w]
    return " ".join(w[0].upper() + w[1:] for w in words) or name


# --------------------------------------------------------------------------------------------------
# Explore schema → XDM
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One kept field: its explore name, its XDM name, its XDM schema and (for objects) its children."""

    source_name: str
    xdm_name: str
    xdm: dict[str, Any]
    children: tuple[_Field, ...] = ()


def explore_data_properties(explore: Mapping[str, Any]) -> dict[str, Any]:
    """Return the explore ``properties`` of the ``data`` object (the Stripe fields).

    Accepts the whole explore response (``{"format": ..., "schema": {...}}``) or its ``schema``.
    """
    schema = explore.get("schema", explore) if isinstance(explore, Mapping) else None
    data = _get_path(schema, ("properties", SOURCE_ROOT))
    props = data.get("properties") if isinstance(data, Mapping) else None
    if not isinstance(props, Mapping):
        raise ExploreSchemaError(
            "Unexpected explore response: expected schema.properties.data.properties "
            "(the Stripe fields sit under 'data'); check the resource path and the explore call"
        )
    return dict(props)


def _get_path(node: Any, keys: Sequence[str]) -> Any:
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _json_type(schema: Mapping[str, Any]) -> str | None:
    """The JSON type of an explore node; ``None`` for untyped (``{}``, a null-valued sample)."""
    kind = schema.get("type")
    if isinstance(kind, list):  # e.g. ["string", "null"]
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) and kind != "null" else None


def _map_of_strings() -> dict[str, Any]:
    return {"type": "object", "meta:xdmType": "map", "additionalProperties": {"type": "string"}}


def _convert_scalar(kind: str | None, schema: Mapping[str, Any]) -> dict[str, Any]:
    if kind == "integer":
        return {"type": "integer", "minimum": LONG_MIN, "maximum": LONG_MAX}
    if kind in ("number", "boolean"):
        return {"type": kind}
    converted: dict[str, Any] = {"type": "string"}  # string, untyped {} and anything unknown
    if kind == "string" and schema.get("format") in ("date", "date-time"):
        converted["format"] = schema["format"]
    return converted


def _convert_node(
    schema: Any, empty_objects: EmptyObjects
) -> tuple[dict[str, Any] | None, tuple[_Field, ...]]:
    """Convert one explore node to XDM (``None`` = leave the field out) and return its child fields."""
    if not isinstance(schema, Mapping):
        return {"type": "string"}, ()
    kind = _json_type(schema)
    if kind == "object":
        fields = _kept_fields(schema.get("properties"), empty_objects)
        if fields:
            return {"type": "object", "properties": {f.xdm_name: f.xdm for f in fields}}, fields
        return (_map_of_strings() if empty_objects == "map" else None), ()
    if kind == "array":  # an array is mapped as a whole, so it has no child fields
        items, _ = _convert_node(schema.get("items") or {}, empty_objects)
        return ({"type": "array", "items": items} if items is not None else None), ()
    return _convert_scalar(kind, schema), ()


def _kept_fields(props: Any, empty_objects: EmptyObjects) -> tuple[_Field, ...]:
    """Convert the children of an object, sorted by XDM name; omitted children are dropped before
    sanitizing so that they cannot influence collision suffixes."""
    if not isinstance(props, Mapping):
        return ()
    converted = {name: _convert_node(sub, empty_objects) for name, sub in props.items()}
    kept = {name: pair for name, pair in converted.items() if pair[0] is not None}
    names = sanitize_properties(kept)
    fields = [
        _Field(name, names[name], {"title": _humanize(name), **(xdm or {})}, children)
        for name, (xdm, children) in kept.items()
    ]
    return tuple(sorted(fields, key=lambda f: f.xdm_name))


def _check_empty_objects(empty_objects: str) -> EmptyObjects:
    value = validate_choice(empty_objects, EMPTY_OBJECT_CHOICES, "empty_objects")
    return "map" if value == "map" else "omit"


def explore_to_xdm_properties(
    explore: Mapping[str, Any], *, empty_objects: EmptyObjects = "omit"
) -> dict[str, Any]:
    """Return the XDM ``properties`` for the Stripe fields of an explore response.

    - ``integer`` → XDM long (``minimum``/``maximum`` ±9007199254740992);
    - ``string``, ``number``, ``boolean`` stay; untyped ``{}`` (null in the sample) → ``string``;
    - objects recurse; arrays → ``{"type": "array", "items": ...}`` (items ``{}`` → string);
    - empty objects (``metadata``) are left out (``"omit"``, default: their keys are unknown) or become
      a map of strings (``"map"``);
    - every field gets a humanized ``title``; names are sanitized (see :func:`sanitize_properties`).
    """
    mode = _check_empty_objects(empty_objects)
    fields = _kept_fields(explore_data_properties(explore), mode)
    return {f.xdm_name: f.xdm for f in fields}


# --------------------------------------------------------------------------------------------------
# Schema Registry bodies
# --------------------------------------------------------------------------------------------------


def _tenant_key(tenant_id: str) -> str:
    """``_<tenant>``; a tenant ID given with its leading underscore is accepted too."""
    tenant = validate_id(tenant_id, "tenant_id").lstrip("_")
    if not tenant:
        raise InvalidInputError("tenant_id", tenant_id, "must be the tenant ID returned by GET /stats")
    return f"_{tenant}"


def _resource_key(resource_path: str) -> str:
    return sanitize_field_name(validate_name(resource_path, "resource_path"))


def _container_name(resource_path: str) -> str:
    return f"{_resource_key(resource_path)}_data"


def build_field_group(
    explore: Mapping[str, Any],
    *,
    tenant_id: str,
    resource_path: str,
    title: str,
    class_id: str = PROFILE_CLASS_ID,
    description: str | None = None,
    empty_objects: EmptyObjects = "omit",
) -> dict[str, Any]:
    """Return the ``POST /tenant/fieldgroups`` body for a Stripe resource path.

    The fields sit under ``_<tenant>.<resource>_data``, so destinations read
    ``_<tenant>.charges_data.amount`` exactly as in the Stripe tutorial's mapping.
    """
    resource = _resource_key(resource_path)
    properties = explore_to_xdm_properties(explore, empty_objects=empty_objects)
    container = {
        "type": "object",
        "properties": {_container_name(resource_path): {"type": "object", "properties": properties}},
    }
    return {
        "title": validate_name(title, "title"),
        "description": description
        or f"Stripe {resource_path} fields, generated from the Flow Service explore schema.",
        "type": "object",
        "meta:intendedToExtend": [validate_class_id(class_id)],
        "definitions": {resource: {"properties": {_tenant_key(tenant_id): container}}},
        "allOf": [{"$ref": f"#/definitions/{resource}"}],
    }


def build_schema(
    title: str,
    *,
    class_id: str,
    field_group_ids: Sequence[str],
    description: str | None = None,
) -> dict[str, Any]:
    """Return the ``POST /tenant/schemas`` body: exactly one class ``$ref`` first, then the field groups."""
    klass = validate_class_id(class_id)
    if isinstance(field_group_ids, str):
        raise InvalidInputError("field_group_ids", field_group_ids, "must be a list of field group IDs")
    known_classes = {klass, *CLASS_SHORTHANDS.values()}
    refs: list[str] = []
    for fg in field_group_ids:
        fg_id = validate_id(fg, "field_group_ids", allow_slash=True)
        if fg_id in known_classes:
            raise InvalidInputError(
                "field_group_ids", fg_id, "must list field groups only; a schema has exactly one class"
            )
        if fg_id in refs:
            raise InvalidInputError("field_group_ids", fg_id, "must not list the same field group twice")
        refs.append(fg_id)
    body: dict[str, Any] = {
        "title": validate_name(title, "title"),
        "type": "object",
        "allOf": [{"$ref": klass}, *({"$ref": ref} for ref in refs)],
    }
    if description:
        body["description"] = description
    return body


# --------------------------------------------------------------------------------------------------
# Data Prep mappings
# --------------------------------------------------------------------------------------------------


def _escape_segment(name: str) -> str:
    """Data Prep paths use ``.`` as separator; a ``.`` inside a name is escaped with ``\\``."""
    return name.replace(".", "\\.")


def _leaf_pairs(
    fields: Sequence[_Field], src: tuple[str, ...], dst: tuple[str, ...]
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(source path, destination path) for every leaf: scalars, arrays and maps (not objects)."""
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for field in fields:
        s, d = (*src, field.source_name), (*dst, field.xdm_name)
        if field.children:
            pairs.extend(_leaf_pairs(field.children, s, d))
        else:
            pairs.append((s, d))
    return pairs


def _path_string(root: str, segments: Sequence[str]) -> str:
    return ".".join([root, *(_escape_segment(s) for s in segments)])


def infer_mappings(
    explore: Mapping[str, Any],
    *,
    tenant_id: str,
    resource_path: str,
    class_id: str = PROFILE_CLASS_ID,
    empty_objects: EmptyObjects = "omit",
) -> list[dict[str, str]]:
    """Return one Data Prep mapping per leaf field, sorted by source path.

    Each is ``{"sourceType": "ATTRIBUTE", "source": "data.<path>",
    "destination": "_<tenant>.<resource>_data.<sanitized path>"}``. For the ExperienceEvent class,
    ``_id`` ← ``data.id`` and ``timestamp`` ← :data:`EE_TIMESTAMP_EXPRESSION` come first; the explore
    schema must then contain ``id`` and ``created`` (otherwise supply the mappings yourself). The Profile
    class (and any other class) needs no class-level mapping.
    """
    klass = validate_class_id(class_id)
    mode = _check_empty_objects(empty_objects)
    data_props = explore_data_properties(explore)
    fields = _kept_fields(data_props, mode)
    dst_root = f"{_tenant_key(tenant_id)}.{_container_name(resource_path)}"
    pairs = sorted(_leaf_pairs(fields, (), ()))
    mappings = [
        {
            "sourceType": "ATTRIBUTE",
            "source": _path_string(SOURCE_ROOT, src),
            "destination": _path_string(dst_root, dst),
        }
        for src, dst in pairs
    ]
    if klass == EXPERIENCE_EVENT_CLASS_ID:
        mappings = _experience_event_mappings(data_props) + mappings
    return mappings


def _experience_event_mappings(data_props: Mapping[str, Any]) -> list[dict[str, str]]:
    missing = [name for name in ("id", "created") if name not in data_props]
    if missing:
        raise ExploreSchemaError(
            f"The ExperienceEvent class needs _id and timestamp, inferred from data.id and data.created, "
            f"but the explore schema lacks {', '.join('data.' + m for m in missing)}; use the Profile class "
            "or supply the mappings yourself"
        )
    return [
        {"sourceType": "ATTRIBUTE", "source": "data.id", "destination": "_id"},
        {"sourceType": "EXPRESSION", "source": EE_TIMESTAMP_EXPRESSION, "destination": "timestamp"},
    ]


def normalize_mapping(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Return a mapping in Data Prep's current style (``sourceType``/``source``/``destination``).

    The Stripe tutorial's legacy style (``sourceAttribute``/``destinationXdmPath``, plus ``identity``
    and ``version``) becomes an ``ATTRIBUTE`` mapping; the legacy ``identity``/``version`` keys are
    dropped (identities are declared with Schema Registry descriptors). ``name`` and ``description``
    are kept. A missing ``sourceType`` defaults to ``ATTRIBUTE``.
    """
    allowed = "must be a mapping with source and destination (or sourceAttribute and destinationXdmPath)"
    if not isinstance(mapping, Mapping):
        raise InvalidInputError("mappings", mapping, allowed)
    legacy = "source" not in mapping and "destination" not in mapping
    source = mapping.get("sourceAttribute" if legacy else "source")
    destination = mapping.get("destinationXdmPath" if legacy else "destination")
    if not isinstance(source, str) or not source.strip():
        raise InvalidInputError("mappings", dict(mapping), allowed, hint="the source is missing or empty")
    if not isinstance(destination, str) or not destination.strip():
        raise InvalidInputError(
            "mappings", dict(mapping), allowed, hint="the destination is missing or empty"
        )
    source_type = "ATTRIBUTE" if legacy else mapping.get("sourceType", "ATTRIBUTE")
    result: dict[str, Any] = {
        "sourceType": validate_choice(source_type, _SOURCE_TYPES, "sourceType"),
        "source": source,
        "destination": destination,
    }
    result.update({k: mapping[k] for k in ("name", "description") if k in mapping})
    return result


def build_mapping_set(
    schema_id: str,
    mappings: Sequence[Mapping[str, Any]],
    *,
    name: str | None = None,
    content_type: str = XED_FULL_CONTENT_TYPE,
) -> dict[str, Any]:
    """Return the ``POST /conversion/mappingSets`` body (current style; legacy mappings normalised)."""
    if isinstance(mappings, str | bytes) or not mappings:
        raise InvalidInputError("mappings", mappings, "must be a non-empty list of mappings")
    body: dict[str, Any] = {
        "outputSchema": {
            "schemaRef": {
                "id": validate_id(schema_id, "schema_id", allow_slash=True),
                "contentType": content_type,
            }
        },
        "mappings": [normalize_mapping(m) for m in mappings],
    }
    if name is not None:
        body["name"] = validate_name(name, "name")
    return body


# --------------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------------


def _node_paths(props: Any, prefix: str = "") -> dict[str, bool]:
    """Every dotted path under ``props`` → True when it is a leaf (no non-empty ``properties``)."""
    paths: dict[str, bool] = {}
    if not isinstance(props, Mapping):
        return paths
    for name, sub in props.items():
        path = f"{prefix}{_escape_segment(name)}"
        children = sub.get("properties") if isinstance(sub, Mapping) else None
        is_leaf = not (isinstance(children, Mapping) and children)
        paths[path] = is_leaf
        if not is_leaf:
            paths.update(_node_paths(children, f"{path}."))
    return paths


def leaf_paths(properties: Mapping[str, Any]) -> list[str]:
    """Sorted dotted paths of the leaves of an XDM or explore ``properties`` dict.

    A leaf is a node without nested ``properties``: scalars, arrays, maps and empty objects.
    """
    return sorted(path for path, leaf in _node_paths(properties).items() if leaf)


def _field_group_properties(field_group: Mapping[str, Any], tenant_key: str) -> dict[str, Any]:
    """The properties under ``_<tenant>`` of every definition of a field group, merged."""
    merged: dict[str, Any] = {}
    definitions = field_group.get("definitions")
    for definition in (definitions or {}).values() if isinstance(definitions, Mapping) else ():
        tenant = _get_path(definition, ("properties", tenant_key, "properties"))
        if isinstance(tenant, Mapping):
            merged.update(tenant)
    return merged


def _strip_root(path: str, root: str) -> str | None:
    return path[len(root) + 1 :] if path.startswith(f"{root}.") else None


def _source_problems(mapping: Mapping[str, Any], sources: Mapping[str, bool]) -> list[str]:
    kind, source = mapping["sourceType"], mapping["source"]
    if kind == "STATIC":
        return []
    refs = [source] if kind == "ATTRIBUTE" else _SOURCE_REF.findall(source)
    problems = []
    for ref in refs:
        rel = _strip_root(ref, SOURCE_ROOT)
        if rel is None:
            problems.append(
                f"source {ref!r} does not start with '{SOURCE_ROOT}.' (Stripe fields sit under data)"
            )
        elif rel not in sources:
            problems.append(f"source {ref!r} does not exist in the explore schema")
    return problems


def _destination_problems(
    mapping: Mapping[str, Any],
    destinations: Mapping[str, bool],
    tenant_key: str,
    class_fields: frozenset[str],
    sources: Mapping[str, bool],
) -> list[str]:
    destination = mapping["destination"]
    if destination in class_fields:
        return []
    rel = _strip_root(destination, tenant_key)
    if rel is None or rel not in destinations:
        return [f"destination {destination!r} does not exist in the field group"]
    src_rel = _strip_root(mapping["source"], SOURCE_ROOT) if mapping["sourceType"] == "ATTRIBUTE" else None
    if src_rel is not None and src_rel in sources and sources[src_rel] != destinations[rel]:
        what = ("a leaf", "an object") if sources[src_rel] else ("an object", "a leaf")
        return [f"source {mapping['source']!r} is {what[0]} but destination {destination!r} is {what[1]}"]
    return []


def check_mappings(
    mappings: Sequence[Mapping[str, Any]],
    *,
    explore: Mapping[str, Any],
    field_group: Mapping[str, Any],
    tenant_id: str,
) -> list[str]:
    """Return human-readable problems with ``mappings``; an empty list means they fit.

    A source must exist in the explore schema (``data.<path>``, leaf or object; ``data.`` references
    inside EXPRESSION sources are checked too) and a destination must exist in the field group under
    ``_<tenant>``, except ``_id`` and ``timestamp`` when the field group extends ExperienceEvent. Leaf
    vs object mismatches and duplicate destinations are reported. Legacy-style mappings are accepted.
    """
    tenant_key = _tenant_key(tenant_id)
    sources = _node_paths(explore_data_properties(explore))
    destinations = _node_paths(_field_group_properties(field_group, tenant_key))
    extends = field_group.get("meta:intendedToExtend") or []
    class_fields = _EE_CLASS_FIELDS if EXPERIENCE_EVENT_CLASS_ID in extends else frozenset()
    problems: list[str] = []
    seen: set[str] = set()
    for index, raw in enumerate(mappings):
        try:
            mapping = normalize_mapping(raw)
        except InvalidInputError as exc:
            problems.append(f"mapping #{index}: {exc}")
            continue
        found = _source_problems(mapping, sources)
        found += _destination_problems(mapping, destinations, tenant_key, class_fields, sources)
        if mapping["destination"] in seen:
            found.append(f"destination {mapping['destination']!r} is mapped more than once")
        seen.add(mapping["destination"])
        problems.extend(f"mapping #{index}: {p}" for p in found)
    return problems
