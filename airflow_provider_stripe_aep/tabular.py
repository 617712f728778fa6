"""Table-based sources (seed 004): their flat explore response, read through the same XDM inference
as Stripe's hierarchical one.

A table's explore response lists columns::

    {"format": "flat", "schema": {"columns": [{"name": "Product_Id", "type": "string",
                                                "xdm": {"type": "string"}}, ...]}}

:func:`as_hierarchical` puts the columns where :mod:`airflow_provider_stripe_aep.xdm` expects Stripe's
fields (under ``data``), so the field group and mappings come from the same code; :func:`table_mappings`
then drops that ``data.`` prefix, since a table's columns sit at the root of each record
(``sourceAttribute: "Product_Id"`` in the tutorial). Pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_stripe_aep.xdm import SOURCE_ROOT, ExploreSchemaError

_XDM_TYPES = ("string", "integer", "number", "boolean")


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


def as_hierarchical(explore: Mapping[str, Any]) -> dict[str, Any]:
    """The explore response of a table, shaped like a REST source's (columns under ``data``)."""
    columns = (explore.get("schema") or {}).get("columns") if isinstance(explore, Mapping) else None
    if not isinstance(columns, list) or not columns:
        raise ExploreSchemaError(
            "Unexpected explore response for a table: expected schema.columns (a non-empty list)"
        )
    props: dict[str, Any] = {}
    for column in columns:
        if not isinstance(column, Mapping) or not isinstance(column.get("name"), str):
            raise ExploreSchemaError(f"Unexpected column in the explore response: {column!r}")
        props[column["name"]] = _column_schema(column)
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
