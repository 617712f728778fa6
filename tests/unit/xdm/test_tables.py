"""A table's ExperienceEvent class mappings (`_id`, `timestamp`) from the columns the user names, and
the field group and mappings inferred for such a table (pure functions, no HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.validation import InvalidInputError
from airflow_provider_stripe_aep.xdm import inference as xdm
from airflow_provider_stripe_aep.xdm import tables as tabular

TABLE = {
    "format": "flat",
    "schema": {
        "columns": [
            {"name": "Order_Id", "type": "string", "xdm": {"type": "string"}},
            {"name": "Seq", "type": "long", "xdm": {"type": "integer"}},
            {"name": "updatedAt", "type": "string", "xdm": {"type": "string"}},
            {"name": "created", "type": "long", "xdm": {"type": "integer"}},
            {"name": "paid at", "type": "double", "xdm": {"type": "number"}},
            {"name": "size", "type": "string", "xdm": {"type": "string"}},
            {"name": "Paid", "type": "boolean", "xdm": {"type": "boolean"}},
        ]
    },
}
ISO = "yyyy-MM-dd'T'HH:mm:ss.SSSX"


def event(**columns: str) -> list[dict[str, str]]:
    args = {
        "id_column": "Order_Id",
        "timestamp_column": "updatedAt",
        "timestamp_format": "yyyy-MM-dd HH:mm:ss",
    }
    return tabular.event_mappings(TABLE, **{**args, **columns})


def timestamp_source(**columns: str) -> str:
    mappings = event(**columns)
    assert [m["destination"] for m in mappings] == ["_id", "timestamp"]
    assert mappings[1]["sourceType"] == "EXPRESSION"
    return mappings[1]["source"]


def test_a_string_date_column_goes_through_date_with_its_pattern():
    assert event() == [
        {"sourceType": "ATTRIBUTE", "source": "Order_Id", "destination": "_id"},
        {
            "sourceType": "EXPRESSION",
            "source": 'date(updatedAt, "yyyy-MM-dd HH:mm:ss")',
            "destination": "timestamp",
        },
    ]


@pytest.mark.parametrize(
    ("column", "fmt", "expected"),
    [
        ("created", "epoch_seconds", f'dformat(created * 1000, "{ISO}")'),
        ("created", "epoch_milliseconds", f'dformat(created, "{ISO}")'),
        ("paid at", "epoch_seconds", f'dformat(${{paid at}} * 1000, "{ISO}")'),
        ("size", "dd.MM.yyyy", 'date(${size}, "dd.MM.yyyy")'),  # a reserved word of Data Prep
    ],
)
def test_epoch_columns_go_through_dformat_in_milliseconds_and_odd_names_are_quoted(column, fmt, expected):
    assert timestamp_source(timestamp_column=column, timestamp_format=fmt) == expected


def test_an_integer_id_column_is_accepted():
    assert event(id_column="Seq")[0] == {"sourceType": "ATTRIBUTE", "source": "Seq", "destination": "_id"}


@pytest.mark.parametrize(
    ("columns", "field", "words"),
    [
        ({"id_column": "order_id"}, "id_column", "Order_Id, Seq, updatedAt"),
        ({"id_column": "Paid"}, "id_column", "string or integer"),
        ({"timestamp_column": "updated"}, "timestamp_column", "must be a column of the table"),
        ({"timestamp_column": "Paid"}, "timestamp_column", "must be a string column"),
        ({"timestamp_column": "created"}, "timestamp_format", "epoch_seconds or epoch_milliseconds"),
        ({"timestamp_format": "epoch_seconds"}, "timestamp_column", "integer or number"),
    ],
)
def test_a_column_the_table_lacks_or_types_otherwise_is_named(columns, field, words):
    with pytest.raises(InvalidInputError) as caught:
        event(**columns)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_the_table_mappings_of_an_experience_event_start_with_the_class_fields():
    shaped = tabular.as_hierarchical(TABLE)
    class_mappings = event()
    inferred = xdm.infer_mappings(
        shaped,
        tenant_id="acme",
        resource_path="Shop.Orders",
        class_id="experienceevent",
        event_mappings=class_mappings,
    )
    mappings = tabular.table_mappings(inferred)
    assert mappings[:2] == class_mappings
    columns = [c["name"] for c in TABLE["schema"]["columns"]]
    assert sorted(m["source"] for m in mappings[2:]) == sorted(columns)
    assert all(m["destination"].startswith("_acme.Shop_Orders_data.") for m in mappings[2:])


def test_the_field_group_of_an_experience_event_table_extends_the_class_and_keeps_class_fields_out():
    group: dict[str, Any] = xdm.build_field_group(
        tabular.as_hierarchical(TABLE),
        tenant_id="acme",
        resource_path="Shop.Orders",
        title="Orders fields",
        class_id="experienceevent",
    )
    assert group["meta:intendedToExtend"] == [platform.EXPERIENCE_EVENT_CLASS_ID]
    (definition,) = group["definitions"].values()
    assert set(definition["properties"]) == {"_acme"}  # no _id or timestamp: they are the class's
    fields = definition["properties"]["_acme"]["properties"]["Shop_Orders_data"]["properties"]
    assert "Order_Id" in fields and "updatedAt" in fields


def test_without_named_columns_a_table_still_lacks_stripe_id_and_created():
    shaped = tabular.as_hierarchical({"schema": {"columns": [{"name": "Order_Id", "type": "string"}]}})
    with pytest.raises(xdm.ExploreSchemaError, match=r"data\.id"):
        xdm.infer_mappings(shaped, tenant_id="acme", resource_path="Shop.Orders", class_id="experienceevent")
