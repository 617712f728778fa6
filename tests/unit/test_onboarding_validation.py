"""The onboarding parameter checks (validation.py) and the table-source adapter (tabular.py)."""

from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    optional_value,
    validate_event_columns,
    validate_onboarding_params,
    validate_poll_interval,
    validate_resource_paths,
    validate_table_path,
)
from airflow_provider_stripe_aep.xdm import tables as tabular
from airflow_provider_stripe_aep.xdm.inference import ExploreSchemaError, infer_mappings

GOOD = {"resources": "charges", "name_prefix": "Shop", "now": 1_700_000_000}


def test_good_params_come_back_normalised():
    checked = validate_onboarding_params(
        **GOOD, frequency="minute", interval="15", poll_interval="2.5", deferrable="true", class_id="Profile"
    )
    assert checked == {
        "resource_path": "charges",
        "name_prefix": "Shop",
        "schedule": {"startTime": "1700000000", "frequency": "minute", "interval": 15},
        "class_id": "https://ns.adobe.com/xdm/context/profile",
        "poll_interval": 2.5,
        "deferrable": True,
        "plan_only": False,
        "on_conflict": "fail",
        "on_schema_change": "fail",
    }


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"resources": "chargez"}, "resource_path"),
        ({"frequency": "minute", "interval": 5}, "interval"),
        ({"frequency": "once", "interval": 3}, "interval"),
        ({"frequency": "day", "interval": "None"}, "interval"),
        ({"start_time": "soon"}, "start_time"),
        ({"name_prefix": " "}, "name_prefix"),
        ({"name_prefix": "p" * 101}, "name_prefix"),
        ({"class_id": "person"}, "class_id"),
        ({"poll_interval": "fast"}, "poll_interval"),
        ({"deferrable": "perhaps"}, "deferrable"),
        ({"plan_only": "maybe"}, "plan_only"),
        ({"on_conflict": "replace"}, "on_conflict"),
        ({"on_schema_change": "grow"}, "on_schema_change"),
    ],
)
def test_each_bad_param_is_named(override, field):
    with pytest.raises(InvalidInputError) as caught:
        validate_onboarding_params(**{**GOOD, **override})
    assert caught.value.field == field
    assert str(caught.value).startswith(f"Invalid {field} ")


def test_rendered_none_counts_as_unset():
    assert optional_value("None") is None
    assert optional_value("") is None
    assert optional_value(0) == 0
    checked = validate_onboarding_params(**GOOD, interval="None", start_time="None")
    assert checked["schedule"] == {"startTime": "1700000000", "frequency": "once"}


def test_resource_paths_lists():
    assert validate_resource_paths(list(RESOURCE_PATHS)) == list(RESOURCE_PATHS)
    for bad in ([], "charges", ["charges", "charges"], ["charges", "chargez"], None):
        with pytest.raises(InvalidInputError) as caught:
            validate_resource_paths(bad)
        assert caught.value.field == "resource_paths"
    checked = validate_onboarding_params(
        **{**GOOD, "resources": ["refunds"]}, resource_field="resource_paths"
    )
    assert checked["resource_paths"] == ["refunds"]


def test_table_paths_and_poll_interval():
    assert validate_table_path("PayPal.Catalog_Products") == "PayPal.Catalog_Products"
    for bad in ("", "Pay Pal", None, 3):
        with pytest.raises(InvalidInputError):
            validate_table_path(bad)
    assert validate_poll_interval(3600) == 3600.0
    for bad in (0, -1, 3601, True, "nan", float("inf")):
        with pytest.raises(InvalidInputError):
            validate_poll_interval(bad)


TABLE = {
    "format": "flat",
    "schema": {
        "columns": [
            {"name": "Product_Id", "type": "string", "xdm": {"type": "string"}},
            {"name": "Price", "type": "double", "xdm": {"type": "number"}},
            {"name": "Odd", "type": "blob"},
        ]
    },
}


def test_table_columns_become_fields_mapped_from_the_record_root():
    shaped = tabular.as_hierarchical(TABLE)
    assert shaped["schema"]["properties"]["data"]["properties"] == {
        "Product_Id": {"type": "string"},
        "Price": {"type": "number"},
        "Odd": {"type": "string"},
    }
    mappings = tabular.table_mappings(
        infer_mappings(shaped, tenant_id="acme", resource_path="PayPal.Catalog_Products")
    )
    assert {(m["source"], m["destination"]) for m in mappings} == {
        ("Product_Id", "_acme.PayPal_Catalog_Products_data.Product_Id"),
        ("Price", "_acme.PayPal_Catalog_Products_data.Price"),
        ("Odd", "_acme.PayPal_Catalog_Products_data.Odd"),
    }
    assert tabular.is_table_explore(TABLE)
    assert not tabular.is_table_explore({"schema": {"properties": {}}})


@pytest.mark.parametrize("bad", [{}, {"schema": {"columns": []}}, {"schema": {"columns": [{"type": "x"}]}}])
def test_unexpected_table_explore_responses_are_rejected(bad):
    with pytest.raises(ExploreSchemaError):
        tabular.as_hierarchical(bad)


EE = "experienceevent"
COLUMNS = {
    "id_column": "Product_Id",
    "timestamp_column": "updatedAt",
    "timestamp_format": "yyyy-MM-dd HH:mm:ss",
}


def test_experience_event_columns_come_back_checked():
    checked = validate_event_columns(class_id=EE, mappings=None, **{**COLUMNS, "id_column": " Product_Id "})
    assert checked == COLUMNS
    assert validate_event_columns(class_id="profile", mappings=None, **dict.fromkeys(COLUMNS)) == {}
    assert (
        validate_event_columns(
            class_id=EE, mappings=[{"source": "a", "destination": "_id"}], **dict.fromkeys(COLUMNS)
        )
        == {}
    )
    assert (
        validate_event_columns(
            class_id=EE, mappings="None", **{**COLUMNS, "timestamp_format": "epoch_seconds"}
        )["timestamp_format"]
        == "epoch_seconds"
    )


@pytest.mark.parametrize(
    ("class_id", "mappings", "override", "field", "words"),
    [
        (EE, None, {"id_column": None}, "id_column", "required with class_id experienceevent"),
        (EE, None, {"timestamp_column": "None"}, "timestamp_column", "required"),
        (EE, None, {"timestamp_format": ""}, "timestamp_format", "epoch_seconds or epoch_milliseconds"),
        (EE, None, {"timestamp_format": "epoch"}, "timestamp_format", "the year (y)"),
        (EE, None, {"timestamp_format": 'yyyy-MM-dd"'}, "timestamp_format", "double quote"),
        (EE, None, {"id_column": "bad\ncolumn"}, "id_column", "control characters"),
        ("profile", None, {}, "id_column", "used only with class_id experienceevent"),
        (EE, [{"source": "a", "destination": "_id"}], {}, "id_column", "not used when mappings are given"),
        ("person", None, {}, "class_id", "must be 'profile'"),
    ],
)
def test_bad_experience_event_columns_are_named(class_id, mappings, override, field, words):
    with pytest.raises(InvalidInputError) as caught:
        validate_event_columns(class_id=class_id, mappings=mappings, **{**COLUMNS, **override})
    assert caught.value.field == field
    assert words in str(caught.value)


def test_onboarding_settings_default_as_listed_and_unknown_ones_are_refused():
    checked = validate_onboarding_params(**GOOD)
    assert checked["schedule"] == {"startTime": "1700000000", "frequency": "once"}
    assert (checked["class_id"], checked["poll_interval"], checked["deferrable"]) == (
        "https://ns.adobe.com/xdm/context/profile",
        30.0,
        False,
    )
    with pytest.raises(TypeError, match="frequncy"):
        validate_onboarding_params(**GOOD, frequncy="day")


def test_the_policies_name_their_allowed_values():
    with pytest.raises(InvalidInputError, match="must be one of fail, ignore, extend"):
        validate_onboarding_params(**GOOD, on_schema_change="Extend")
    with pytest.raises(InvalidInputError, match="must be one of fail, reuse, update"):
        validate_onboarding_params(**GOOD, on_conflict="overwrite")
    checked = validate_onboarding_params(**GOOD, plan_only="true", on_schema_change="extend")
    assert (checked["plan_only"], checked["on_schema_change"]) == (True, "extend")
