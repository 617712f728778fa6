"""The onboarding DAG, run with dag.test() against the emulator over real HTTP."""

from __future__ import annotations

import pytest
from aep_testing import requests_to, run_dag

from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
from airflow_provider_stripe_aep.sources import stripe
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger

DAG_ID = "stripe_to_aep_onboarding"


@pytest.mark.usefixtures("airflow_db")
def test_onboarding_creates_every_resource_as_the_tutorial_does(connections):
    aep = connections
    dagrun, xcom = run_dag(DAG_ID, {"name_prefix": "IT", "poll_interval": 0.2})
    assert str(dagrun.state).endswith("success")
    store = aep.state.sandbox("prod")

    base = store.connections[xcom[("create_base_connection", "return_value")]]
    assert base["connectionSpec"] == {"id": stripe.STRIPE_CONNECTION_SPEC_ID, "version": "1.0"}
    assert base["auth"]["specName"] == "OAuth2 Refresh Code"
    assert base["name"] == "IT Stripe base connection"

    source = store.source_connections[xcom[("create_source_connection", "return_value")]]
    assert source["baseConnectionId"] == base["id"]
    assert source["connectionSpec"]["id"] == stripe.STRIPE_CONNECTION_SPEC_ID
    assert source["data"] == {"format": "json"}
    assert source["params"] == {"resourcePath": "charges"}

    explore = xcom[("explore_resource", "return_value")]
    assert explore["schema"]["properties"]["data"]["properties"]["amount"]["type"] == "integer"

    schema_id = xcom[("create_target_schema", "return_value")]
    assert schema_id in store.schemas
    field_group_id = xcom[("create_target_schema", "field_group_id")]
    assert field_group_id in store.fieldgroups
    assert xcom[("create_target_schema", "tenant_id")] == aep.config.tenant_id

    dataset_id = xcom[("create_dataset", "return_value")]
    assert store.datasets[dataset_id]["schemaRef"]["id"] == schema_id

    target = store.target_connections[xcom[("create_target_connection", "return_value")]]
    assert target["connectionSpec"]["id"] == platform.DATA_LAKE_CONNECTION_SPEC_ID
    assert target["data"]["format"] == "parquet_xdm"
    assert target["data"]["schema"] == {"id": schema_id, "version": platform.XED_FULL_CONTENT_TYPE}
    assert target["params"] == {"dataSetId": dataset_id}

    mapping_id = xcom[("create_mapping_set", "return_value")]
    assert mapping_id in store.mapping_sets
    assert xcom[("create_mapping_set", "mapping_version")] == 0

    flow = store.flows[xcom[("create_dataflow", "return_value")]]
    assert flow["flowSpec"] == {"id": platform.REST_FLOW_SPEC_ID, "version": "1.0"}
    assert flow["sourceConnectionIds"] == [source["id"]]
    assert flow["targetConnectionIds"] == [target["id"]]
    assert flow["transformations"] == [
        {"name": "Mapping", "params": {"mappingId": mapping_id, "mappingVersion": 0}}
    ]
    assert flow["scheduleParams"]["frequency"] == "once"
    assert str(flow["scheduleParams"]["startTime"]).isdigit()
    assert "interval" not in flow["scheduleParams"]

    run = xcom[("wait_for_run", "return_value")]
    assert run["status"] == "success"
    assert run["counts"]["inputRecordCount"] > 0
    assert run["run_id"] in store.runs


@pytest.mark.usefixtures("airflow_db")
def test_a_second_run_reuses_everything_and_sends_no_post(connections):
    """No create, and no IMS token request either: dag.test() runs every task in this process, which
    keeps the token (with separate task processes, each task would mint one token, once)."""
    aep = connections
    conf = {"name_prefix": "Again", "poll_interval": 0.2, "resource_path": "customers"}
    first, first_xcom = run_dag(DAG_ID, conf)
    assert str(first.state).endswith("success")
    assert requests_to(aep, method="POST")
    aep.state.request_log.clear()
    second, second_xcom = run_dag(DAG_ID, conf)
    assert str(second.state).endswith("success")
    assert requests_to(aep, method="POST") == []
    created = [k for k in first_xcom if k[0].startswith("create_") and k[1] == "return_value"]
    assert len(created) == 7
    for key in created:
        assert second_xcom[key] == first_xcom[key]


@pytest.mark.usefixtures("airflow_db")
def test_deferrable_sensor_waits_in_the_trigger(connections, mocker):
    trigger_made = mocker.spy(AEPDataflowRunTrigger, "__init__")
    resumed = mocker.spy(AEPDataflowRunSensor, "execute_complete")
    dagrun, xcom = run_dag(DAG_ID, {"name_prefix": "Deferred", "poll_interval": 0.2, "deferrable": True})
    assert str(dagrun.state).endswith("success")
    assert trigger_made.call_count >= 1
    assert resumed.call_count == 1
    assert resumed.call_args.kwargs.get("event", resumed.call_args.args[-1])["status"] == "success"
    assert xcom[("wait_for_run", "return_value")]["status"] == "success"


@pytest.mark.usefixtures("airflow_db")
def test_a_scheduled_flow_is_created_with_its_interval(connections):
    aep = connections
    conf = {"name_prefix": "Sched", "poll_interval": 0.2, "frequency": "minute", "interval": 15}
    dagrun, xcom = run_dag(DAG_ID, conf)
    assert str(dagrun.state).endswith("success")
    flow = aep.state.sandbox("prod").flows[xcom[("create_dataflow", "return_value")]]
    assert flow["scheduleParams"]["frequency"] == "minute"
    assert flow["scheduleParams"]["interval"] == 15


@pytest.mark.usefixtures("airflow_db")
def test_a_task_killed_after_its_post_is_retried_by_airflow_and_creates_one_flow(connections):
    """The dataflow POST is carried out but its answer is lost, and the look-up that follows fails
    too, so the task fails; Airflow's retry then finds the flow by name instead of creating another."""
    from datetime import timedelta

    from aep_testing import load_dag, return_values

    aep = connections
    aep.add_fault(
        {"kind": "commit_drop", "times": 1, "methods": ["POST"], "path_regex": "/flowservice/flows$"}
    )
    aep.add_fault({"kind": "503", "times": 5, "methods": ["GET"], "path_regex": "/flowservice/flows$"})
    dag = load_dag(DAG_ID)
    for task in dag.tasks:
        task.retry_delay = timedelta(0)
    dagrun = dag.test(run_conf={"name_prefix": "Dropped", "poll_interval": 0.2})
    assert str(dagrun.state).endswith("success")
    flows = list(aep.state.sandbox("prod").flows.values())
    assert [f["name"] for f in flows] == ["Dropped Stripe charges dataflow"]
    xcom = return_values(DAG_ID, dagrun.run_id)
    assert xcom[("create_dataflow", "return_value")] == flows[0]["id"]
    posts = [
        r for r in aep.state.request_log if r["method"] == "POST" and r["path"].endswith("/flowservice/flows")
    ]
    assert len(posts) == 1


@pytest.mark.usefixtures("airflow_db")
def test_the_tenant_is_asked_once_even_with_a_fresh_process_per_task(connections, monkeypatch):
    """The schema task hands its tenant ID to the mapping task (XCom `tenant_id`), so a run whose
    every task starts with empty caches (as separate task processes do) asks `GET /stats` once."""
    from airflow_provider_stripe_aep.client import schema_registry
    from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

    built = AdobeExperiencePlatformHook._client_for

    def fresh_process_client(config):
        schema_registry.clear_tenant_cache()
        return built(config)

    monkeypatch.setattr(AdobeExperiencePlatformHook, "_client_for", staticmethod(fresh_process_client))
    dagrun, xcom = run_dag(DAG_ID, {"name_prefix": "Tenant", "poll_interval": 0.2})
    assert str(dagrun.state).endswith("success")
    stats = [r for r in connections.state.request_log if r["path"].endswith("/schemaregistry/stats")]
    assert len(stats) == 1
    mapping = connections.state.sandbox("prod").mapping_sets[xcom[("create_mapping_set", "return_value")]]
    destinations = [m["destination"] for m in mapping["_versions"][-1]["mappings"]]
    tenant = xcom[("create_target_schema", "tenant_id")]
    assert destinations and all(d.startswith(f"_{tenant}.") for d in destinations)
