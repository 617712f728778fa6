"""payments_to_aep_onboarding (seed 004, PayPal-like table source), run with dag.test() against the
emulator over real HTTP."""

from __future__ import annotations

import json

import pytest
from aep_testing import PAYPAL_SECRET, platform_posts, run_dag

from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.sources import paypal as payments

DAG_ID = "payments_to_aep_onboarding"
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("airflow_db")]


def test_payments_onboarding_follows_the_tutorial_and_a_rerun_creates_nothing(connections):
    aep = connections
    conf = {"name_prefix": "Pay", "poll_interval": 0.2}
    dagrun, xcom = run_dag(DAG_ID, conf)
    assert str(dagrun.state).endswith("success")
    store = aep.state.sandbox("prod")

    base = store.connections[xcom[("create_base_connection", "return_value")]]
    assert base["name"] == "Pay PayPal base connection"
    assert base["connectionSpec"]["id"] == payments.PAYPAL_CONNECTION_SPEC_ID
    assert base["auth"]["specName"] == payments.PAYPAL_AUTH_SPEC_NAME

    source = store.source_connections[xcom[("create_source_connection", "return_value")]]
    assert source["baseConnectionId"] == base["id"]
    assert source["data"] == {"format": "tabular"}
    assert source["params"] == {"path": "PayPal.Catalog_Products"}

    schema_id = xcom[("create_target_schema", "return_value")]
    dataset_id = xcom[("create_dataset", "return_value")]
    target = store.target_connections[xcom[("create_target_connection", "return_value")]]
    assert target["connectionSpec"]["id"] == platform.DATA_LAKE_CONNECTION_SPEC_ID
    assert target["params"] == {"dataSetId": dataset_id}

    mapping_id = xcom[("create_mapping_set", "return_value")]
    flow = store.flows[xcom[("create_dataflow", "return_value")]]
    assert flow["name"] == "Pay PayPal PayPal.Catalog_Products dataflow"
    assert flow["flowSpec"]["id"] != platform.REST_FLOW_SPEC_ID
    assert flow["sourceConnectionIds"] == [source["id"]]
    assert flow["targetConnectionIds"] == [target["id"]]
    assert flow["transformations"][0] == {
        "name": "Copy",
        "params": {"deltaColumn": {"name": "updatedAt", "dateFormat": "YYYY-MM-DD", "timezone": "UTC"}},
    }
    assert flow["transformations"][1]["name"] == "Mapping"
    assert flow["transformations"][1]["params"]["mappingId"] == mapping_id
    spec_lookups = [r for r in aep.state.request_log if r["path"].endswith("/flowSpecs")]
    assert spec_lookups, "the flow spec is found by name"

    mapping_sources = sorted(
        m["source"] for m in aep.state.sandbox("prod").mapping_sets[mapping_id]["_versions"][-1]["mappings"]
    )
    assert mapping_sources == sorted(
        ["Product_Id", "Product_Name", "Description", "Type", "Category", "updatedAt"]
    )
    assert store.datasets[dataset_id]["schemaRef"]["id"] == schema_id

    run = xcom[("wait_for_run", "return_value")]
    assert run["status"] == "success"
    assert run["counts"]["inputRecordCount"] > 0

    aep.state.request_log.clear()
    again, again_xcom = run_dag(DAG_ID, conf)
    assert str(again.state).endswith("success")
    assert platform_posts(aep) == []
    assert again_xcom[("create_dataflow", "return_value")] == xcom[("create_dataflow", "return_value")]


def test_the_paypal_secret_reaches_aep_but_not_xcom(connections):
    aep = connections
    dagrun, xcom = run_dag(DAG_ID, {"name_prefix": "Sec", "poll_interval": 0.2})
    assert str(dagrun.state).endswith("success")
    assert PAYPAL_SECRET not in json.dumps(list(xcom.values()), default=str)
    base = aep.state.sandbox("prod").connections[xcom[("create_base_connection", "return_value")]]
    assert base["auth"]["params"]["clientId"] == "it-paypal-client"
    assert base["auth"]["params"]["host"] == "https://api-m.sandbox.paypal.com"
    assert any(
        r["method"] == "POST" and r["path"].endswith("/flowservice/connections")
        for r in aep.state.request_log
    )


EVENT_CONF = {
    "name_prefix": "Evt",
    "poll_interval": 0.2,
    "class_id": "experienceevent",
    "id_column": "Product_Id",
    "timestamp_column": "updatedAt",
    "timestamp_format": "yyyy-MM-dd HH:mm:ss",
}


def test_an_experience_event_onboarding_maps_id_and_timestamp_from_the_named_columns(connections):
    aep = connections
    dagrun, xcom = run_dag(DAG_ID, EVENT_CONF)
    assert str(dagrun.state).endswith("success")
    store = aep.state.sandbox("prod")

    schema = store.schemas[xcom[("create_target_schema", "return_value")]]
    assert schema["allOf"][0]["$ref"] == platform.EXPERIENCE_EVENT_CLASS_ID
    (group_ref,) = [part["$ref"] for part in schema["allOf"][1:]]
    group = store.fieldgroups[group_ref]
    assert group["meta:intendedToExtend"] == [platform.EXPERIENCE_EVENT_CLASS_ID]
    tenant_fields = [props for d in group["definitions"].values() for props in d["properties"]]
    assert "_id" not in tenant_fields and "timestamp" not in tenant_fields

    expected_class_mappings = [
        {"sourceType": "ATTRIBUTE", "source": "Product_Id", "destination": "_id"},
        {
            "sourceType": "EXPRESSION",
            "source": 'date(updatedAt, "yyyy-MM-dd HH:mm:ss")',
            "destination": "timestamp",
        },
    ]
    assert xcom[("check_columns", "return_value")] == expected_class_mappings
    mapping_id = xcom[("create_mapping_set", "return_value")]
    mappings = store.mapping_sets[mapping_id]["_versions"][-1]["mappings"]
    assert [{k: m[k] for k in ("sourceType", "source", "destination")} for m in mappings[:2]] == (
        expected_class_mappings
    )
    assert sorted(m["source"] for m in mappings[2:]) == sorted(
        ["Product_Id", "Product_Name", "Description", "Type", "Category", "updatedAt"]
    )

    flow = store.flows[xcom[("create_dataflow", "return_value")]]
    assert flow["transformations"][1]["params"]["mappingId"] == mapping_id
    assert flow["targetConnectionIds"] == [xcom[("create_target_connection", "return_value")]]
    run = xcom[("wait_for_run", "return_value")]
    assert run["status"] == "success"
    assert run["counts"]["inputRecordCount"] > 0


def test_a_column_the_table_lacks_fails_the_run_before_anything_is_made_from_the_table(connections):
    aep = connections
    dagrun, _ = run_dag(DAG_ID, {**EVENT_CONF, "name_prefix": "Col", "id_column": "ProductId"})
    assert str(dagrun.state).endswith("failed")
    states = {ti.task_id: str(ti.state) for ti in dagrun.get_task_instances()}
    assert states["check_columns"].endswith("failed")
    assert states["explore_table"].endswith("success")
    made = [p for p in (r["path"] for r in platform_posts(aep)) if not p.endswith("/connections")]
    assert made == []  # only the base connection, which explore needs; no source connection or schema
    assert aep.state.sandbox("prod").source_connections == {}
