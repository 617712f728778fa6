"""A source "adds a field": per-sandbox changes to the packaged explore responses and sample records.

Stripe adds fields with every API version, and a field that was null in the sample can become an
object; a table source gains columns. Tests make that happen with the admin calls
``POST /_emulator/explore/{resource_path}/fields`` and ``POST /_emulator/explore/tables/{table}/columns``;
explore answers and the records a run ingests then carry the change.
"""

from __future__ import annotations

import copy
from typing import Any

from airflow_provider_stripe_aep.emulator import fixtures
from airflow_provider_stripe_aep.emulator.state import SandboxStore


def set_field(store: SandboxStore, resource_path: str, path: str, schema: dict[str, Any], value: Any) -> None:
    """Add (or retype) the field ``data.<path>`` (dotted for nested fields) of a resource path: its
    explore schema becomes ``schema`` and every sample record holds ``value`` there."""
    store.source_fields.setdefault(resource_path, {})[path] = {"schema": schema, "value": value}


def _set_schema(properties: dict[str, Any], keys: list[str], schema: dict[str, Any]) -> None:
    """Put ``schema`` at ``keys`` in an explore ``properties`` tree, making the objects on the way."""
    for key in keys[:-1]:
        node = properties.get(key)
        if not isinstance(node, dict) or not isinstance(node.get("properties"), dict):
            node = properties[key] = {"type": "object", "properties": {}}
        properties = node["properties"]
    properties[keys[-1]] = copy.deepcopy(schema)


def _set_value(record: dict[str, Any], keys: list[str], value: Any) -> None:
    for key in keys[:-1]:
        if not isinstance(record.get(key), dict):
            record[key] = {}
        record = record[key]
    record[keys[-1]] = copy.deepcopy(value)


def explore_response(store: SandboxStore, resource_path: str) -> dict[str, Any]:
    response = fixtures.explore_response(resource_path)
    data = response["schema"]["properties"]["data"]["properties"]
    for path, change in store.source_fields.get(resource_path, {}).items():
        _set_schema(data, path.split("."), change["schema"])
    return response


def sample_records(store: SandboxStore, resource_path: str) -> list[dict[str, Any]]:
    records = fixtures.sample_records(resource_path)
    for path, change in store.source_fields.get(resource_path, {}).items():
        for record in records:
            _set_value(record, path.split("."), change["value"])
    return records


def set_column(store: SandboxStore, table: str, column: dict[str, Any], value: Any) -> None:
    """Add (or retype) a column of a table source: ``column`` is its explore entry (``name``, ``type``,
    ``xdm``) and every row holds ``value`` in it."""
    store.table_columns.setdefault(table, {})[column["name"]] = {"column": column, "value": value}


def tables(store: SandboxStore) -> dict[str, Any]:
    """The table source's tables (``{path: {"columns": [...], "rows": [...]}}``) with the added columns."""
    found = fixtures.paypal_tables()
    for path, changes in store.table_columns.items():
        table = found.get(path)
        if table is None:
            continue
        for name, change in changes.items():
            table["columns"] = [c for c in table["columns"] if c["name"] != name] + [
                copy.deepcopy(change["column"])
            ]
            for row in table["rows"]:
                row[name] = copy.deepcopy(change["value"])
    return found
