"""Issue 19 through dag.test() of `stripe_to_aep_onboarding` and the emulator over real HTTP: the plan
(zero writes, then the run does exactly what it said) and schema drift (`on_schema_change`)."""

from __future__ import annotations

import httpx
import pytest
from aep_testing import platform_writes, run_dag

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

DAG_ID = "stripe_to_aep_onboarding"
VALIDATION = "/data/foundation/conversion/mappingSets/validate"


def writes(server) -> list[tuple[str, str]]:
    """(method, path) of every write to the platform APIs (the IMS token call is not one)."""
    return [(r["method"], r["path"]) for r in platform_writes(server)]


def planned(plan: dict) -> list[tuple[str, str]]:
    return [(q["method"], q["path"]) for q in plan["requests"]]


def actions(plan: dict) -> dict[str, str]:
    return {r["kind"]: r["action"] for r in plan["resources"]}


def ok(dagrun) -> bool:
    return str(dagrun.state).endswith("success")


@pytest.mark.usefixtures("airflow_db")
def test_plan_on_a_fresh_sandbox_then_the_run_then_a_plan_of_keeps(connections):
    aep = connections
    conf = {"name_prefix": "Plan", "poll_interval": 0.2}
    dagrun, xcom = run_dag(DAG_ID, {**conf, "plan_only": True})
    assert ok(dagrun)
    plan = xcom[("plan", "return_value")]
    assert list(actions(plan).values()) == ["create"] * 8
    assert plan["summary"]["create"] == 8
    assert writes(aep) == []  # the plan sent no write at all (not even Data Prep's validation)
    assert ("create_base_connection", "return_value") not in xcom  # nothing applied

    aep.state.request_log.clear()
    dagrun, xcom = run_dag(DAG_ID, conf)
    assert ok(dagrun)
    assert sorted(writes(aep)) == sorted(planned(plan))  # exactly the eight creates (+ validation)
    store = aep.state.sandbox("prod")
    created = [
        store.connections,
        store.source_connections,
        store.fieldgroups,
        store.schemas,
        store.datasets,
        store.target_connections,
        store.mapping_sets,
        store.flows,
    ]
    assert [len(c) for c in created] == [1] * 8

    aep.state.request_log.clear()
    dagrun, xcom = run_dag(DAG_ID, {**conf, "plan_only": True})
    plan = xcom[("plan", "return_value")]
    assert list(actions(plan).values()) == ["keep"] * 8
    assert plan["requests"] == [] and writes(aep) == []


@pytest.mark.usefixtures("airflow_db")
def test_a_changed_schedule_plans_one_update_and_the_run_sends_that_patch(connections):
    aep = connections
    conf = {"name_prefix": "Resched", "poll_interval": 0.2}
    assert ok(run_dag(DAG_ID, conf)[0])
    changed = {**conf, "frequency": "day", "interval": 1, "on_conflict": "update"}

    aep.state.request_log.clear()
    dagrun, xcom = run_dag(DAG_ID, {**changed, "plan_only": True})
    plan = xcom[("plan", "return_value")]
    assert writes(aep) == []
    assert actions(plan)["dataflow"] == "update"
    assert [a for k, a in actions(plan).items() if k != "dataflow"] == ["keep"] * 7
    (flow,) = [r for r in plan["resources"] if r["kind"] == "dataflow"]
    assert {c["field"]: (c["old"], c["new"]) for c in flow["changes"]} == {
        "scheduleParams.frequency": ("once", "day"),
        "scheduleParams.interval": (None, "1"),
    }
    (patch,) = plan["requests"]
    assert (patch["method"], patch["path"]) == ("PATCH", f"/data/foundation/flowservice/flows/{flow['id']}")

    aep.state.request_log.clear()
    dagrun, _ = run_dag(DAG_ID, changed)
    assert ok(dagrun)
    assert writes(aep) == planned(plan)
    stored = aep.state.sandbox("prod").flows[flow["id"]]["scheduleParams"]
    assert (stored["frequency"], int(stored["interval"])) == ("day", 1)


def _add_field(aep, path: str, schema: dict, value) -> None:
    answer = httpx.post(
        f"{aep.url}/_emulator/explore/charges/fields", json={"path": path, "schema": schema, "value": value}
    )
    assert answer.status_code == 200, answer.text


def _run_output(aep, run_id: str) -> dict:
    return httpx.get(f"{aep.url}/_emulator/runs/{run_id}/output").json()


@pytest.mark.usefixtures("airflow_db")
def test_extend_carries_a_new_stripe_field_into_aep(connections):
    aep = connections
    conf = {"name_prefix": "Drift", "poll_interval": 0.2, "on_schema_change": "extend"}
    dagrun, first = run_dag(DAG_ID, conf)
    assert ok(dagrun)
    store = aep.state.sandbox("prod")
    group_id = first[("create_target_schema", "field_group_id")]
    mapping_id = first[("create_mapping_set", "return_value")]
    flow_id = first[("create_dataflow", "return_value")]
    new_leaf = f"_{aep.config.tenant_id}.charges_data.risk_note"
    assert new_leaf not in _run_output(aep, first[("wait_for_run", "return_value")]["run_id"])["fields"]

    _add_field(aep, "risk_note", {"type": "string"}, "watch this one")
    aep.state.request_log.clear()
    dagrun, plan_xcom = run_dag(DAG_ID, {**conf, "plan_only": True})
    plan = plan_xcom[("plan", "return_value")]
    assert writes(aep) == []
    assert (
        actions(plan)["field group"] == actions(plan)["mapping set"] == actions(plan)["dataflow"] == "update"
    )

    aep.state.request_log.clear()
    dagrun, second = run_dag(DAG_ID, conf)
    assert ok(dagrun)
    sent = writes(aep)
    assert sent == planned(plan)
    assert [m for m, _ in sent] == ["PATCH", "POST", "PUT", "PATCH"]  # + Data Prep's validation only
    _, _, put, flow_patch = [r for r in platform_writes(aep)]
    assert put["path"].endswith(f"/mappingSets/{mapping_id}")
    assert flow_patch["path"].endswith(f"/flows/{flow_id}")
    (fg_ops,) = [r["body"] for r in plan["requests"] if r["method"] == "PATCH" and "fieldgroups" in r["path"]]
    assert {op["op"] for op in fg_ops} == {"add"}
    assert [op["path"] for op in fg_ops] == [
        f"/definitions/charges/properties/_{aep.config.tenant_id}/properties/charges_data/properties/risk_note"
    ]
    group = store.fieldgroups[group_id]
    container = group["definitions"]["charges"]["properties"][f"_{aep.config.tenant_id}"]["properties"]
    assert container["charges_data"]["properties"]["risk_note"]["type"] == "string"
    assert second[("create_mapping_set", "mapping_version")] == 1  # AEP numbers versions from 0
    versions = store.mapping_sets[mapping_id]["_versions"]
    assert len(versions) == 2
    assert new_leaf in {m["destination"] for m in versions[1]["mappings"]}
    assert new_leaf not in {m["destination"] for m in versions[0]["mappings"]}
    flow = store.flows[flow_id]
    assert flow["transformations"][0]["params"]["mappingVersion"] in (1, "1")
    assert len(store.flows) == len(store.schemas) == len(store.datasets) == 1  # nothing else created
    # The next AEP run of the flow (an on-demand one, as the ingest DAG starts) carries the new field.
    run_id, _ = AdobeExperiencePlatformHook().trigger_run(flow_id, window_start=1, window_end=2)
    output = _run_output(aep, run_id)
    assert output["mappingVersion"] == 1 and new_leaf in output["fields"]

    aep.state.request_log.clear()
    dagrun, _ = run_dag(DAG_ID, conf)
    assert ok(dagrun)
    assert writes(aep) == []  # a second run sends nothing


@pytest.mark.usefixtures("airflow_db")
def test_a_retyped_field_is_refused_before_any_write_and_named(connections):
    aep = connections
    conf = {"name_prefix": "Retype", "poll_interval": 0.2, "on_schema_change": "extend"}
    assert ok(run_dag(DAG_ID, conf)[0])
    _add_field(aep, "amount", {"type": "string"}, "1000")  # Stripe's integer becomes a string
    _add_field(aep, "risk_note", {"type": "string"}, "new")

    aep.state.request_log.clear()
    dagrun, plan_xcom = run_dag(DAG_ID, {**conf, "plan_only": True})
    (group,) = [r for r in plan_xcom[("plan", "return_value")]["resources"] if r["kind"] == "field group"]
    assert group["action"] == "refused" and "charges_data.amount" in group["reason"]

    aep.state.request_log.clear()
    dagrun, xcom = run_dag(DAG_ID, conf)
    assert not ok(dagrun)
    assert writes(aep) == []
    assert ("create_target_schema", "field_group_id") not in xcom


@pytest.mark.usefixtures("airflow_db")
def test_ignore_keeps_the_old_shape_and_fail_stops_with_the_difference(connections, caplog, capfd):
    aep = connections
    conf = {"name_prefix": "Keep", "poll_interval": 0.2}
    assert ok(run_dag(DAG_ID, conf)[0])
    _add_field(aep, "risk_note", {"type": "string"}, "new")

    aep.state.request_log.clear()
    dagrun, xcom = run_dag(DAG_ID, {**conf, "on_schema_change": "ignore"})
    assert ok(dagrun)
    assert writes(aep) == []
    assert xcom[("create_mapping_set", "mapping_version")] == 0
    logged = caplog.text + "".join(capfd.readouterr())  # Airflow 3 task logs go to the console
    assert "charges_data.risk_note (string)" in logged

    aep.state.request_log.clear()
    dagrun, xcom = run_dag(DAG_ID, conf)  # on_schema_change defaults to fail
    assert not ok(dagrun)
    assert writes(aep) == []


@pytest.mark.usefixtures("airflow_db")
def test_the_all_resources_plan_plans_each_selected_path_and_applies_nothing(connections):
    aep = connections
    conf = {"name_prefix": "All", "poll_interval": 0.2, "resource_paths": ["charges", "refunds"]}
    dagrun, xcom = run_dag("stripe_to_aep_all_resources", {**conf, "plan_only": True})
    assert ok(dagrun)
    assert writes(aep) == []  # not even the shared base connection
    for path in ("charges", "refunds"):
        plan = xcom[(f"onboard_{path}.plan", "return_value")]
        assert list(actions(plan).values()) == ["create"] * 8
    assert ("onboard_customers.plan", "return_value") not in xcom  # not selected: skipped


@pytest.mark.usefixtures("airflow_db")
def test_the_payments_plan_then_its_run_then_keeps(connections):
    aep = connections
    conf = {"name_prefix": "Pay", "poll_interval": 0.2}
    dagrun, xcom = run_dag("payments_to_aep_onboarding", {**conf, "plan_only": True})
    assert ok(dagrun)
    plan = xcom[("plan", "return_value")]
    assert list(actions(plan).values()) == ["create"] * 8
    assert writes(aep) == []

    aep.state.request_log.clear()
    assert ok(run_dag("payments_to_aep_onboarding", conf)[0])
    assert sorted(writes(aep)) == sorted(planned(plan))

    dagrun, xcom = run_dag("payments_to_aep_onboarding", {**conf, "plan_only": True})
    assert list(actions(xcom[("plan", "return_value")]).values()) == ["keep"] * 8


@pytest.mark.usefixtures("airflow_db")
def test_extend_carries_a_new_table_column_into_aep(connections):
    """The same drift through a table source (seed 004): the table gains a column."""
    from airflow_provider_stripe_aep.sources.paypal import PAYPAL_DEFAULT_TABLE

    aep = connections
    payments = "payments_to_aep_onboarding"
    conf = {"name_prefix": "TableDrift", "poll_interval": 0.2, "on_schema_change": "extend"}
    dagrun, first = run_dag(payments, conf)
    assert ok(dagrun)
    store = aep.state.sandbox("prod")
    mapping_id = first[("create_mapping_set", "return_value")]
    flow_id = first[("create_dataflow", "return_value")]
    answer = httpx.post(
        f"{aep.url}/_emulator/explore/tables/{PAYPAL_DEFAULT_TABLE}/columns",
        json={"name": "Risk_Note", "type": "string", "value": "watch this one"},
    )
    assert answer.status_code == 200, answer.text

    aep.state.request_log.clear()
    dagrun, plan_xcom = run_dag(payments, {**conf, "plan_only": True})
    plan = plan_xcom[("plan", "return_value")]
    assert writes(aep) == []
    assert [actions(plan)[k] for k in ("field group", "mapping set", "dataflow")] == ["update"] * 3

    aep.state.request_log.clear()
    dagrun, _ = run_dag(payments, conf)
    assert ok(dagrun)
    assert writes(aep) == planned(plan)
    assert [m for m, _ in writes(aep)] == ["PATCH", "POST", "PUT", "PATCH"]  # + Data Prep's validation
    (fg_ops,) = [r["body"] for r in plan["requests"] if r["method"] == "PATCH" and "fieldgroups" in r["path"]]
    assert {op["op"] for op in fg_ops} == {"add"} and [op["path"].rsplit("/", 1)[-1] for op in fg_ops] == [
        "Risk_Note"
    ]
    versions = store.mapping_sets[mapping_id]["_versions"]
    (new,) = [m for m in versions[1]["mappings"] if m["source"] == "Risk_Note"]
    assert not any(m["source"] == "Risk_Note" for m in versions[0]["mappings"])
    (mapping,) = [t for t in store.flows[flow_id]["transformations"] if t["name"] == "Mapping"]
    assert str(mapping["params"]["mappingVersion"]) == "1"
    run_id, _ = AdobeExperiencePlatformHook().trigger_run(flow_id, window_start=1, window_end=2)
    assert new["destination"] in _run_output(aep, run_id)["fields"]

    aep.state.request_log.clear()
    assert ok(run_dag(payments, conf)[0])
    assert writes(aep) == []  # a second run sends nothing
