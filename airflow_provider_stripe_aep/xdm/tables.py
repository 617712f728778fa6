"""Table-based sources (seed 004): their flat explore response, read through the same XDM inference
as Stripe's hierarchical one.

A table's explore response lists columns::

    {"format": "flat", "schema": {"columns": [{"name": "Product_Id", "type": "string",
                                                "xdm": {"type": "string"}}, ...]}}

:func:`as_hierarchical` puts the columns where :mod:`airflow_provider_stripe_aep.xdm.inference` expects
Stripe's fields (under ``data``), so the field group and mappings come from the same code;
:func:`table_mappings` then drops that ``data.`` prefix, since a table's columns sit at the root of each
record (``sourceAttribute: "Product_Id"`` in the tutorial). Pure functions.

A table has no fixed ID or date column, so an ExperienceEvent's ``_id`` and ``timestamp`` come from the
columns the user names (:func:`event_mappings`): ``_id`` <- the ID column as is, ``timestamp`` <- an
ISO 8601 date-time made by Data Prep's ``date`` function (a string column, with its date pattern) or
``dformat`` (a numeric column of epoch seconds or milliseconds). Sources: AdobeDocs
experience-platform.en help/data-prep/functions.md ("Date and time functions": ``dformat`` takes epoch
milliseconds) and help/data-prep/data-handling.md (``date({DATE}, {FORMAT})`` returns an ISO 8601
date-time; a string mapped to a date should name its format).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_stripe_aep.validation import InvalidInputError
from airflow_provider_stripe_aep.xdm.inference import SOURCE_ROOT, ExploreSchemaError

_XDM_TYPES = ("string", "integer", "number", "boolean")
_ID_TYPES = ("string", "integer")
_EPOCH_MULTIPLIERS = {"epoch_seconds": " * 1000", "epoch_milliseconds": ""}
#: The ISO 8601 pattern ``dformat`` writes the timestamp in (as for Stripe's ``created``).
_ISO_PATTERN = "yyyy-MM-dd'T'HH:mm:ss.SSSX"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Data Prep's reserved keywords (functions.md); a column named like one is written ``${name}``.
_RESERVED = frozenset(
    "new mod or break var lt for false while eq gt div not null continue else and ne true le if ge "
    "return _errors do function empty size".split()
)


def is_table_explore(explore: Any) -> bool:
    return isinstance(explore, Mapping) and isinstance((explore.get("schema") or {}).get("columns"), list)


def _column_schema(column: Mapping[str, Any]) -> dict[str, Any]:
    xdm: Mapping[str, Any] = column["xdm"] if isinstance(column.get("xdm"), Mapping) else {}
    kind = xdm.get("type") or column.get("type")
    schema: dict[str, Any] = {"type": kind if kind in _XDM_TYPES else "string"}
    fmt = xdm.get("format")
    if fmt in ("date", "date-time"):
        schema["format"] = fmt
    return schema


def table_columns(explore: Any) -> dict[str, dict[str, Any]]:
    """The columns of a table's explore response: name -> XDM type (``{"type": "string"}``...)."""
    columns = (explore.get("schema") or {}).get("columns") if isinstance(explore, Mapping) else None
    if not isinstance(columns, list) or not columns:
        raise ExploreSchemaError(
            "Unexpected explore response for a table: expected schema.columns (a non-empty list)"
        )
    result: dict[str, dict[str, Any]] = {}
    for column in columns:
        if not isinstance(column, Mapping) or not isinstance(column.get("name"), str):
            raise ExploreSchemaError(f"Unexpected column in the explore response: {column!r}")
        result[column["name"]] = _column_schema(column)
    return result


def as_hierarchical(explore: Mapping[str, Any]) -> dict[str, Any]:
    """The explore response of a table, shaped like a REST source's (columns under ``data``)."""
    props = table_columns(explore)
    return {
        "format": "hierarchical",
        "schema": {"type": "object", "properties": {SOURCE_ROOT: {"type": "object", "properties": props}}},
    }


def table_mappings(mappings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Mappings inferred from :func:`as_hierarchical`, with sources at the record root (``Product_Id``)."""
    prefix = f"{SOURCE_ROOT}."
    result = []
    for mapping in mappings:
        source = mapping["source"]
        if mapping.get("sourceType", "ATTRIBUTE") == "ATTRIBUTE" and source.startswith(prefix):
            source = source[len(prefix) :]
        result.append({**mapping, "source": source})
    return result


def _expression_ref(column: str) -> str:
    """A column as an expression reads it: its name, or ``${name}`` for other names (functions.md)."""
    if _IDENTIFIER.fullmatch(column) and column not in _RESERVED:
        return column
    return "${%s}" % column  # noqa: UP031 - braces would need escaping in an f-string


def _column(columns: Mapping[str, Mapping[str, Any]], name: str, field: str, types: Sequence[str]) -> str:
    """The XDM type of the named column, which must exist and have one of ``types``."""
    if name not in columns:
        raise InvalidInputError(field, name, f"must be a column of the table: {', '.join(columns)}")
    kind = str(columns[name]["type"])
    if kind not in types:
        allowed = f"must be a {' or '.join(types)} column"
        raise InvalidInputError(field, name, allowed, hint=f"the table types it {kind}")
    return kind


def event_mappings(
    explore: Mapping[str, Any], *, id_column: str, timestamp_column: str, timestamp_format: str
) -> list[dict[str, str]]:
    """The ExperienceEvent class mappings of a table: ``_id`` and ``timestamp`` from the named columns.

    The arguments are those :func:`~airflow_provider_stripe_aep.validation.validate_event_columns`
    returns; this checks them against the table's columns (which exist, with which type): an epoch
    ``timestamp_format`` needs a numeric column, a date pattern a string one.
    """
    columns = table_columns(explore)
    _column(columns, id_column, "id_column", _ID_TYPES)
    if timestamp_format in _EPOCH_MULTIPLIERS:
        _column(columns, timestamp_column, "timestamp_column", ("integer", "number"))
        ref = _expression_ref(timestamp_column) + _EPOCH_MULTIPLIERS[timestamp_format]
        expression = f'dformat({ref}, "{_ISO_PATTERN}")'
    else:
        kind = columns.get(timestamp_column, {}).get("type")
        if kind in ("integer", "number"):
            raise InvalidInputError(
                "timestamp_format",
                timestamp_format,
                f"must be {' or '.join(_EPOCH_MULTIPLIERS)} for the {kind} column {timestamp_column}",
            )
        _column(columns, timestamp_column, "timestamp_column", ("string",))
        expression = f'date({_expression_ref(timestamp_column)}, "{timestamp_format}")'
    return [
        {"sourceType": "ATTRIBUTE", "source": id_column.replace(".", "\\."), "destination": "_id"},
        {"sourceType": "EXPRESSION", "source": expression, "destination": "timestamp"},
    ]
