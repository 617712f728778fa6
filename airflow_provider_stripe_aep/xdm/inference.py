"""Flow Service explore schema → XDM field group, schema and Data Prep mapping set (pure functions).

The explore response of a Stripe resource path looks like::

    {"format": "hierarchical",
     "schema": {"type": "object", "properties": {"data": {"type": "object", "properties": {...}}}}}

The Stripe fields sit under ``data``. They become a custom field group whose fields live under
``_<tenant>.<resource>_data`` (the destinations the Stripe tutorial maps to), and one Data Prep mapping
per leaf field from ``data.<path>`` to ``_<tenant>.<resource>_data.<sanitized path>``.

Types. Explore types its fields from one sample record, so a field that is null there is ``{}``, and
an object without keys (``metadata``) is an empty object. Where the sample says nothing, the types
Stripe documents for the resource (:mod:`~airflow_provider_stripe_aep.xdm.stripe_types`, built from
Stripe's own type definitions) decide. The rules, in order:

1. A field Stripe documents as a map (``metadata``) is an XDM map of strings when the sample shows an
   object or nothing: the keys of one sample record are not the keys of the next.
2. A field the sample types keeps the sample's type: the sample is what Flow Service actually reads
   (with the Stripe account's API version, which may keep fields the table no longer lists, such as
   ``subscription.plan``). One exception: a whole number in the sample of a field Stripe documents as
   ``number`` becomes ``number``, or a fractional value would fail. Objects recurse field by field;
   array items follow the same rules.
3. A field the sample says nothing about (``{}``, null, an empty object, an object or array whose
   children the sample does not type) takes Stripe's documented type: scalars (timestamps are
   integers → XDM long), expandable references as strings (Stripe returns the ID, explore does not
   expand), maps, arrays, and objects with their documented subfields. Such an object is mapped leaf
   by leaf (``data.shipping.address.city`` → ``..._data.shipping.address.city``, typed as Stripe
   documents it): Data Prep documents mappings from attribute to attribute, not whole objects. Only
   maps (``metadata``) and arrays are mapped whole. That Data Prep reads a source path under a field
   the explore sample leaves untyped is not documented either way (docs/api-notes.md).
4. A field neither the sample nor the table types is **left out** of the field group and the mappings,
   never guessed as a string: :func:`left_out_fields` returns those source paths and
   :func:`build_field_group` and :func:`infer_mappings` log them. With ``empty_objects="map"`` an empty
   object the table does not know becomes a map of strings instead (an explicit opt-in).

The table adds types, never fields: a field absent from the explore schema is not in the field group.
Field names are sanitized (XDM allows only alphanumerics, ``-`` and ``_`` and no leading ``_``), so the
field group and the mappings are both derived from one walk over the explore schema and always agree.
No Airflow import and no HTTP; the only I/O is reading the packaged type table once, and the only side
effect is the log line about left-out fields.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from airflow_provider_stripe_aep.resources.platform import (
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
from airflow_provider_stripe_aep.xdm import stripe_types

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
    "left_out_fields",
    "normalize_mapping",
    "sanitize_field_name",
    "sanitize_properties",
]

log = logging.getLogger(__name__)

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
# Explore schema (+ Stripe's documented types) → XDM
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    """One kept field: its explore name, its XDM name, its XDM schema and (for objects) its children.

    A field without children is mapped as a whole: scalars, arrays and maps."""

    source_name: str
    xdm_name: str
    xdm: dict[str, Any]
    children: tuple[_Field, ...] = ()


@dataclass
class _Walk:
    """State of one walk over the explore schema: the option and the source paths left out so far."""

    empty_objects: EmptyObjects
    left_out: list[tuple[str, ...]]

    def report(self, path: tuple[str, ...], since: int) -> None:
        """Record ``path`` as left out unless something under it was recorded since ``since``."""
        if len(self.left_out) == since:
            self.left_out.append(path)


@dataclass(frozen=True)
class _Inference:
    fields: tuple[_Field, ...]
    left_out: tuple[str, ...]


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


def _map_of(value_type: str) -> dict[str, Any]:
    return {"type": "object", "meta:xdmType": "map", "additionalProperties": {"type": value_type}}


def _scalar(kind: str) -> dict[str, Any]:
    if kind == "integer":
        return {"type": "integer", "minimum": LONG_MIN, "maximum": LONG_MAX}
    return {"type": kind}


def _convert_scalar(kind: str, schema: Mapping[str, Any], documented: str | None) -> dict[str, Any] | None:
    """A scalar the sample typed. ``None`` for a JSON type XDM does not know (left out)."""
    if kind == "integer" and documented == "number":
        return _scalar("number")  # a whole number in the sample of a field Stripe documents as decimal
    if kind not in stripe_types.SCALAR_TYPES:
        return None
    converted = _scalar(kind)
    if kind == "string" and schema.get("format") in ("date", "date-time"):
        converted["format"] = schema["format"]
    return converted


def _from_table(documented: Any, path: tuple[str, ...], walk: _Walk) -> dict[str, Any] | None:
    """XDM for a field typed by Stripe's table only; ``None`` (and reported) when it has no XDM form."""
    return _table_field(documented, path, walk)[0]


def _table_field(
    documented: Any, path: tuple[str, ...], walk: _Walk
) -> tuple[dict[str, Any] | None, tuple[_Field, ...]]:
    """XDM for a field typed by Stripe's table only, and (for an object whose structure Stripe
    documents) its child fields, so each leaf is mapped with its own type; ``None`` (and reported)
    when it has no XDM form. Maps (``metadata``) and arrays have no child fields: mapped whole."""
    since = len(walk.left_out)
    kind = stripe_types.type_kind(documented)
    result: dict[str, Any] | None = None
    children: tuple[_Field, ...] = ()
    if kind == "object":
        kept = {}
        for name, sub in documented.items():
            converted, grandchildren = _table_field(sub, (*path, name), walk)
            if converted is not None:
                kept[name] = (converted, grandchildren)
        if kept:
            names = sanitize_properties(kept)
            fields = sorted(
                (
                    _Field(n, names[n], {"title": _humanize(n), **xdm}, grandchildren)
                    for n, (xdm, grandchildren) in kept.items()
                ),
                key=lambda f: f.xdm_name,
            )
            result = {"type": "object", "properties": {f.xdm_name: f.xdm for f in fields}}
            children = tuple(fields)
    elif kind == "array":
        items = _from_table(documented[0], path, walk)
        result = {"type": "array", "items": items} if items is not None else None
    elif kind == "map":
        result = _map_of(stripe_types.MAP_TYPES[documented])
    elif kind is not None:
        result = _scalar(kind)
    if result is None:
        walk.report(path, since)
    return result, children


def _untyped(
    documented: Any, path: tuple[str, ...], walk: _Walk, *, empty_object: bool
) -> tuple[dict[str, Any] | None, tuple[_Field, ...]]:
    """A node the sample says nothing about (``{}``, null, an empty object): Stripe's type, else out."""
    since = len(walk.left_out)
    converted, children = _table_field(documented, path, walk)
    if converted is None and empty_object and walk.empty_objects == "map":
        del walk.left_out[since:]  # the caller asked for unknown empty objects as maps of strings
        converted = _map_of("string")
    return converted, children


def _convert_node(
    schema: Any, documented: Any, path: tuple[str, ...], walk: _Walk
) -> tuple[dict[str, Any] | None, tuple[_Field, ...]]:
    """Convert one explore node to XDM (``None`` = leave the field out) and return its child fields."""
    node: Mapping[str, Any] = schema if isinstance(schema, Mapping) else {}
    kind = _json_type(node)
    documented_kind = stripe_types.type_kind(documented)
    if documented_kind == "map" and kind in (None, "object"):  # a sample's keys are one record's keys
        return _from_table(documented, path, walk), ()  # a map is mapped whole
    if kind == "object":
        since = len(walk.left_out)
        sub_types = documented if documented_kind == "object" else None
        fields = _kept_fields(node.get("properties"), sub_types, path, walk)
        if fields:
            return {"type": "object", "properties": {f.xdm_name: f.xdm for f in fields}}, fields
        del walk.left_out[since:]  # no child typed: the sample says nothing about this object
        return _untyped(documented, path, walk, empty_object=True)
    if kind == "array":  # an array is mapped as a whole, so it has no child fields
        since = len(walk.left_out)
        item_types = documented[0] if documented_kind == "array" else None
        items, _ = _convert_node(node.get("items"), item_types, path, walk)
        if items is None:
            walk.report(path, since)
            return None, ()
        return {"type": "array", "items": items}, ()
    if kind is None:
        return _untyped(documented, path, walk, empty_object=False)
    converted = _convert_scalar(kind, node, documented_kind)
    if converted is None:
        walk.report(path, len(walk.left_out))
    return converted, ()


def _kept_fields(
    props: Any, types: Mapping[str, Any] | None, path: tuple[str, ...], walk: _Walk
) -> tuple[_Field, ...]:
    """Convert the children of an object, sorted by XDM name; omitted children are dropped before
    sanitizing so that they cannot influence collision suffixes."""
    if not isinstance(props, Mapping):
        return ()
    documented = types or {}
    converted = {
        name: _convert_node(sub, documented.get(name), (*path, name), walk) for name, sub in props.items()
    }
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


def _documented_types(resource_path: str | None, types: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if types is not None:
        if not isinstance(types, Mapping):
            raise InvalidInputError("types", types, "must be a mapping of field names to Stripe types")
        return types
    return stripe_types.resource_types(resource_path) if resource_path else {}


def _infer(
    explore: Mapping[str, Any],
    empty_objects: str,
    resource_path: str | None,
    types: Mapping[str, Any] | None,
) -> _Inference:
    walk = _Walk(_check_empty_objects(empty_objects), [])
    documented = _documented_types(resource_path, types)
    fields = _kept_fields(explore_data_properties(explore), documented, (), walk)
    left_out = sorted({_path_string(SOURCE_ROOT, path) for path in walk.left_out})
    return _Inference(fields, tuple(left_out))


def _log_left_out(resource_path: str | None, left_out: Sequence[str]) -> None:
    if left_out:
        log.warning(
            "Stripe %s: %d field(s) left out of the field group and the mappings, because neither the "
            "explore sample nor Stripe's documented types give them an XDM type: %s",
            resource_path or "resource",
            len(left_out),
            ", ".join(left_out),
        )


def explore_to_xdm_properties(
    explore: Mapping[str, Any],
    *,
    empty_objects: EmptyObjects = "omit",
    resource_path: str | None = None,
    types: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the XDM ``properties`` for the Stripe fields of an explore response.

    ``resource_path`` selects Stripe's documented types from the packaged table (``types`` overrides
    them: ``field → type`` as in :mod:`~airflow_provider_stripe_aep.xdm.stripe_types`; ``{}`` = none).
    The rules are in the module docstring.
    """
    inference = _infer(explore, empty_objects, resource_path, types)
    return {f.xdm_name: f.xdm for f in inference.fields}


def left_out_fields(
    explore: Mapping[str, Any],
    *,
    resource_path: str | None = None,
    empty_objects: EmptyObjects = "omit",
    types: Mapping[str, Any] | None = None,
) -> list[str]:
    """The source paths (``data.<path>``) left out of the field group and the mappings, sorted.

    A field is left out when neither the explore sample nor Stripe's documented types give it an XDM
    type (see the module docstring); :func:`build_field_group` and :func:`infer_mappings` also log them.
    """
    return list(_infer(explore, empty_objects, resource_path, types).left_out)


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
    types: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the ``POST /tenant/fieldgroups`` body for a Stripe resource path.

    The fields sit under ``_<tenant>.<resource>_data``, so destinations read
    ``_<tenant>.charges_data.amount`` exactly as in the Stripe tutorial's mapping. Types follow the
    module docstring (``types`` overrides the packaged table for ``resource_path``); fields left out
    are logged.
    """
    resource = _resource_key(resource_path)
    inference = _infer(explore, empty_objects, resource_path, types)
    _log_left_out(resource_path, inference.left_out)
    properties = {f.xdm_name: f.xdm for f in inference.fields}
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
    types: Mapping[str, Any] | None = None,
    event_mappings: Sequence[Mapping[str, str]] | None = None,
) -> list[dict[str, str]]:
    """Return one Data Prep mapping per leaf field, sorted by source path.

    Each is ``{"sourceType": "ATTRIBUTE", "source": "data.<path>",
    "destination": "_<tenant>.<resource>_data.<sanitized path>"}``. For the ExperienceEvent class,
    ``_id`` ← ``data.id`` and ``timestamp`` ← :data:`EE_TIMESTAMP_EXPRESSION` come first; the explore
    schema must then contain ``id`` and ``created`` (otherwise supply the mappings yourself), unless
    ``event_mappings`` gives those two class mappings (a table's, see :mod:`~.tabular`). The Profile
    class (and any other class) needs no class-level mapping. An object typed from Stripe's table only
    is mapped leaf by leaf; fields left out (see the module docstring) get no mapping and are logged.
    """
    klass = validate_class_id(class_id)
    data_props = explore_data_properties(explore)
    inference = _infer(explore, empty_objects, resource_path, types)
    _log_left_out(resource_path, inference.left_out)
    fields = inference.fields
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
        class_mappings = (
            [dict(m) for m in event_mappings]
            if event_mappings is not None
            else _experience_event_mappings(data_props)
        )
        mappings = class_mappings + mappings
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


Shape = Literal["leaf", "object", "unknown"]


def _shapes(props: Any, *, explore: bool, prefix: str = "") -> dict[str, Shape]:
    """Every dotted path under ``props`` → its shape. In an explore schema a node with fields is an
    object, an untyped node or an object without fields is ``unknown`` (the sample says nothing about
    it); in a field group every ``object`` (maps included) is an object. The rest are leaves."""
    shapes: dict[str, Shape] = {}
    if not isinstance(props, Mapping):
        return shapes
    for name, sub in props.items():
        path = f"{prefix}{_escape_segment(name)}"
        node = sub if isinstance(sub, Mapping) else {}
        children = node.get("properties")
        kind = _json_type(node)
        shape: Shape
        if isinstance(children, Mapping) and children:
            shape = "object"
            shapes.update(_shapes(children, explore=explore, prefix=f"{path}."))
        elif explore:
            shape = "unknown" if kind in (None, "object") else "leaf"
        else:
            shape = "object" if kind == "object" else "leaf"
        shapes[path] = shape
    return shapes


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


def _source_problems(mapping: Mapping[str, Any], sources: Mapping[str, Shape]) -> list[str]:
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
        elif rel not in sources and not _under_untyped(rel, sources):
            problems.append(f"source {ref!r} does not exist in the explore schema")
    return problems


def _under_untyped(rel: str, sources: Mapping[str, Shape]) -> bool:
    """Whether ``rel`` lies under a node the explore sample does not type (``card.wallet`` null in the
    sample): Stripe documents its structure, so its leaves are mapped one by one (data.shipping.address
    .city). Data Prep's documents are silent on mapping such a path; docs/api-notes.md says so."""
    parts = rel.split(".")
    return any(sources.get(".".join(parts[:i])) == "unknown" for i in range(1, len(parts)))


def _destination_problems(
    mapping: Mapping[str, Any],
    destinations: Mapping[str, Shape],
    tenant_key: str,
    class_fields: frozenset[str],
    sources: Mapping[str, Shape],
) -> list[str]:
    destination = mapping["destination"]
    if destination in class_fields:
        return []
    rel = _strip_root(destination, tenant_key)
    if rel is None or rel not in destinations:
        return [f"destination {destination!r} does not exist in the field group"]
    src_rel = _strip_root(mapping["source"], SOURCE_ROOT) if mapping["sourceType"] == "ATTRIBUTE" else None
    source_shape = sources.get(src_rel, "unknown") if src_rel is not None else "unknown"
    if source_shape != "unknown" and source_shape != destinations[rel]:
        what = ("a leaf", "an object") if source_shape == "leaf" else ("an object", "a leaf")
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
    vs object mismatches (a map is an object) and duplicate destinations are reported; a source the
    explore sample does not type (``{}``, an empty object) may map to a leaf or an object, as the type
    inference types it from Stripe's table. Legacy-style mappings are accepted.
    """
    tenant_key = _tenant_key(tenant_id)
    sources = _shapes(explore_data_properties(explore), explore=True)
    destinations = _shapes(_field_group_properties(field_group, tenant_key), explore=False)
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
