"""Dataflows: validation, lifecycle (PATCH, enable/disable, delete) and runs."""

from __future__ import annotations

import time
from typing import Any

import pytest

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.emulator.specs import CRM_FLOW_SPEC_ID, PAYPAL_CONNECTION_SPEC_ID

from .helpers import TENANT, XED_FULL, Aep, flow_body, wait_for


def _code(response: Any) -> str:
    return str(response.json()["type"]).rsplit("/", 1)[-1]


def _prepared(aep: Aep) -> dict[str, str]:
    ids = aep.onboard()
    assert aep.delete(f"/flowservice/flows/{ids['flow']}").status_code == 204
    return ids


def test_flow_shape(aep: Aep) -> None:
    ids = aep.onboard(startTime="1710267858", frequency="minute", interval=15)
    flow = aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]
    assert flow["state"] == "enabled"
    assert flow["etag"] == flow["version"] and flow["etag"].startswith('"')
    # the default variant answers as the tutorials show (reference §8a); test_api_variants.py: the spec's
    assert flow["scheduleParams"] == {"startTime": "1710267858", "frequency": "minute", "interval": "15"}
    assert flow["runs"] == f"/runs?property=flowId=={ids['flow']}"
    assert flow["sourceConnectionIds"] == [ids["source"]]
    assert flow["inheritedAttributes"]["sourceConnections"][0]["baseConnection"]["id"] == ids["base"]
    assert flow["lastOperation"]["operation"] == "create"


def test_flow_validation_errors(aep: Aep) -> None:
    ids = _prepared(aep)
    now = int(time.time())
    cases: list[tuple[dict[str, Any], str]] = [
        ({**flow_body(ids), "state": "enabled"}, "FLOW-1410-400"),
        ({**flow_body(ids), "flowSpec": {"id": "00000000-0000-0000-0000-000000000000"}}, "FLOW-1413-400"),
        ({**flow_body(ids), "flowSpec": {"id": CRM_FLOW_SPEC_ID, "version": "1.0"}}, "FLOW-1100-400"),
        ({**flow_body(ids), "sourceConnectionIds": ["missing"]}, "FLOW-1100-400"),
        (
            {**flow_body(ids), "transformations": [{"name": "Mapping", "params": {"mappingId": "nope"}}]},
            "FLOW-1419-400",
        ),
        (
            {
                **flow_body(ids),
                "transformations": [
                    {"name": "Mapping", "params": {"mappingId": ids["mapping"], "mappingVersion": 3}}
                ],
            },
            "FLOW-1412-400",
        ),
    ]
    schedules = [
        {"startTime": now, "frequency": "monthly", "interval": 1},
        {"startTime": now, "frequency": "minute", "interval": 10},
        {"startTime": now, "frequency": "hour"},
        {"startTime": now, "frequency": "hour", "interval": 0},
        {"startTime": now, "frequency": "once", "interval": 1},
        {"startTime": now, "frequency": "once", "backfill": True},
        {"startTime": now, "frequency": "day", "interval": 1, "backfill": "yes"},
        {"startTime": now * 1000, "frequency": "once"},
        {"startTime": "soon", "frequency": "once"},
        {"frequency": "once"},
    ]
    cases += [(flow_body(ids, **s), "FLOW-1100-400") for s in schedules]
    for body, code in cases:
        response = aep.post("/flowservice/flows", json=body)
        assert response.status_code == 400, body
        assert _code(response) == code, body
    good = [
        {"startTime": str(now), "frequency": "minute", "interval": 15},
        {"startTime": now, "frequency": "week", "interval": 1, "backfill": False},
        {"startTime": now, "frequency": "hour", "interval": "2"},
        {"startTime": now, "frequency": "once"},
    ]
    for schedule in good:
        assert aep.post("/flowservice/flows", json=flow_body(ids, **schedule)).status_code == 201, schedule
    string_version = flow_body(ids)
    string_version["transformations"][0]["params"]["mappingVersion"] = "0"
    assert aep.post("/flowservice/flows", json=string_version).status_code == 201


def test_flow_rejects_mapping_for_another_schema(aep: Aep) -> None:
    ids = _prepared(aep)
    other_schema = aep.schema(ids["field_group"], "other schema")
    other_mapping = aep.mapping_set(other_schema)
    body = flow_body({**ids, "mapping": other_mapping})
    response = aep.post("/flowservice/flows", json=body)
    assert response.status_code == 400 and _code(response) == "FLOW-1425-400"


def test_run_lifecycle_in_progress_then_success(aep: Aep) -> None:
    ids = aep.onboard("charges")
    runs = aep.runs(ids["flow"])
    assert len(runs) == 1
    run = runs[0]
    assert run["flowId"] == ids["flow"]
    assert run["metrics"]["statusSummary"]["status"] == "inProgress"
    assert "completedAtUTC" not in run["metrics"]["durationSummary"]
    done = wait_for(
        lambda: [r for r in aep.runs(ids["flow"]) if r["metrics"]["statusSummary"]["status"] == "success"]
    )
    run = done[0]
    records = run["metrics"]["recordSummary"]
    assert records["inputRecordCount"] == 5 == records["outputRecordCount"]
    assert records["failedRecordCount"] == 0
    durations = run["metrics"]["durationSummary"]
    assert durations["completedAtUTC"] - durations["startedAtUTC"] == 300
    assert durations["startedAtUTC"] > 1_600_000_000_000
    activities = {a["id"]: a for a in run["activities"]}
    assert activities["copyActivity"]["sourceInfo"][0]["id"] == ids["source"]
    assert activities["promotionActivity"]["targetInfo"][0]["id"] == ids["target"]
    single = aep.get(f"/flowservice/runs/{run['id']}").json()["items"][0]
    assert single["metrics"]["statusSummary"]["status"] == "success"
    details = aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]["lastRunDetails"]
    assert details["id"] == run["id"] and details["state"] == "success"
    time.sleep(0.6)
    assert len(aep.runs(ids["flow"])) == 1, "a 'once' flow runs once"


def test_record_counts_follow_the_resource(aep: Aep) -> None:
    ids = aep.onboard("balance_transactions")
    run = wait_for(
        lambda: [r for r in aep.runs(ids["flow"]) if r["metrics"]["statusSummary"]["status"] == "success"]
    )[0]
    assert run["metrics"]["recordSummary"]["inputRecordCount"] == 6


def test_fail_runs(aep: Aep) -> None:
    ids = aep.onboard()
    response = aep.admin("POST", f"/flows/{ids['flow']}/fail-runs")
    assert response.status_code == 200
    run = wait_for(
        lambda: [r for r in aep.runs(ids["flow"]) if r["metrics"]["statusSummary"]["status"] != "inProgress"]
    )[0]
    summary = run["metrics"]["statusSummary"]
    assert summary["status"] == "failed"
    assert summary["errors"][0]["code"] == "CONNECTOR-2001-500"
    assert run["metrics"]["recordSummary"]["failedRecordCount"] == 5
    assert aep.admin("POST", "/flows/unknown/fail-runs").status_code == 404


def test_future_start_time_waits(aep: Aep) -> None:
    ids = aep.onboard(startTime=str(int(time.time()) + 3600), frequency="once")
    assert aep.runs(ids["flow"]) == []
    assert "lastRunDetails" not in aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]


def test_recurring_runs_and_disable() -> None:
    with EmulatorServer(EmulatorConfig(run_seconds=0.1, run_interval_seconds=0.3)) as srv:
        aep = Aep(srv)
        ids = aep.onboard(startTime=int(time.time()) - 5, frequency="minute", interval=15)
        wait_for(lambda: len(aep.runs(ids["flow"])) >= 3, timeout=5)
        disabled = aep.post(f"/flowservice/flows/{ids['flow']}/action", params={"op": "disable"})
        assert disabled.status_code == 200 and set(disabled.json()) == {"id", "etag"}
        again = aep.post(f"/flowservice/flows/{ids['flow']}/action", params={"op": "disable"})
        assert again.status_code == 400 and _code(again) == "FLOW-1422-400"
        count = len(aep.runs(ids["flow"]))
        time.sleep(0.8)
        assert len(aep.runs(ids["flow"])) == count
        assert aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]["state"] == "disabled"
        assert (
            aep.post(f"/flowservice/flows/{ids['flow']}/action", params={"op": "enable"}).status_code == 200
        )
        wait_for(lambda: len(aep.runs(ids["flow"])) > count, timeout=5)
        assert (
            aep.post(f"/flowservice/flows/{ids['flow']}/action", params={"op": "finalize"}).status_code == 400
        )


def test_patch_flow(aep: Aep) -> None:
    ids = aep.onboard(startTime=str(int(time.time()) - 60), frequency="minute", interval=15)
    path = f"/flowservice/flows/{ids['flow']}"
    etag = aep.get(path).json()["items"][0]["etag"]
    ops = [
        {"op": "replace", "path": "/scheduleParams/frequency", "value": "day"},
        {"op": "replace", "path": "/scheduleParams/interval", "value": 1},
        {"op": "replace", "path": "/name", "value": "renamed"},
    ]
    assert _code(aep.patch(path, json=ops)) == "FLOW-1403-400"
    stale = aep.patch(path, json=ops, headers=aep.headers(**{"If-Match": '"0000"'}))
    assert stale.status_code == 412 and _code(stale) == "FLOW-1404-412"
    ok = aep.patch(path, json=ops, headers=aep.headers(**{"If-Match": etag}))
    assert ok.status_code == 200 and ok.json()["etag"] != etag
    flow = aep.get(path).json()["items"][0]
    assert flow["name"] == "renamed" and flow["scheduleParams"]["frequency"] == "day"
    assert flow["lastOperation"]["operation"] == "update"
    bad = aep.patch(
        path,
        json=[{"op": "replace", "path": "/scheduleParams/interval", "value": 0}],
        headers=aep.headers(**{"If-Match": flow["etag"]}),
    )
    assert bad.status_code == 400
    start = aep.patch(
        path,
        json=[{"op": "replace", "path": "/scheduleParams/startTime", "value": 1}],
        headers=aep.headers(**{"If-Match": flow["etag"]}),
    )
    assert start.status_code == 400
    state = aep.patch(
        path,
        json=[{"op": "replace", "path": "/state", "value": "disabled"}],
        headers=aep.headers(**{"If-Match": flow["etag"]}),
    )
    assert state.status_code == 400


def test_paypal_flow_with_crm_flow_spec(aep: Aep) -> None:
    conn = aep.post(
        "/flowservice/connections",
        json={
            "name": "Paypal connection",
            "connectionSpec": {"id": PAYPAL_CONNECTION_SPEC_ID, "version": "1.0"},
            "auth": {
                "specName": "Client-Id-Secret Based Authentication",
                "params": {"host": "api.sandbox.paypal.com", "clientId": "c", "clientSecret": "s"},
            },
        },
    ).json()["id"]
    source = aep.post(
        "/flowservice/sourceConnections",
        json={
            "name": "PayPal source connection",
            "baseConnectionId": conn,
            "connectionSpec": {"id": PAYPAL_CONNECTION_SPEC_ID, "version": "1.0"},
            "data": {"format": "tabular"},
            "params": {"path": "PayPal.Catalog_Products"},
        },
    ).json()["id"]
    group = aep.field_group(
        "Products",
        {"product": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}},
    )
    schema = aep.schema(group, "PayPal target XDM schema")
    target = aep.target_connection(schema, aep.dataset(schema, "PayPal target dataset"))
    mapping = aep.post(
        "/conversion/mappingSets",
        json={
            "version": 0,
            "xdmSchema": schema,
            "xdmVersion": "1.0",
            "mappings": [
                {"sourceAttribute": "Product_Id", "destinationXdmPath": f"_{TENANT}.product.id"},
                {"sourceAttribute": "Product_Name", "destinationXdmPath": f"_{TENANT}.product.name"},
            ],
        },
    ).json()["id"]
    spec = aep.get("/flowservice/flowSpecs", params={"property": 'name=="CRMToAEP"'}).json()["items"][0]["id"]
    body = {
        "name": "Dataflow between payments Platform",
        "flowSpec": {"id": spec, "version": "1.0"},
        "sourceConnectionIds": [source],
        "targetConnectionIds": [target],
        "transformations": [
            {"name": "Copy", "params": {"deltaColumn": {"name": "updatedAt", "dateFormat": "YYYY-MM-DD"}}},
            {"name": "Mapping", "params": {"mappingId": mapping, "mappingVersion": "0"}},
        ],
        "scheduleParams": {"startTime": str(int(time.time()) - 10), "frequency": "minute", "interval": "30"},
    }
    created = aep.post("/flowservice/flows", json=body)
    assert created.status_code == 201, created.text
    run = wait_for(
        lambda: [
            r for r in aep.runs(created.json()["id"]) if r["metrics"]["statusSummary"]["status"] == "success"
        ]
    )[0]
    assert run["metrics"]["recordSummary"]["inputRecordCount"] == 4
    no_delta = {**body, "transformations": [{"name": "Copy", "params": {}}, body["transformations"][1]]}
    assert aep.post("/flowservice/flows", json=no_delta).status_code == 400
    assert XED_FULL


def test_on_demand_run(aep: Aep) -> None:
    ids = aep.onboard(startTime=str(int(time.time()) + 3600), frequency="once")
    response = aep.post(
        "/flowservice/runs",
        json={
            "flowId": ids["flow"],
            "params": {
                "startTime": "1663735590",
                "windowStartTime": "1651584991",
                "windowEndTime": "1651585956",
            },
        },
    )
    assert response.status_code == 201
    run_id = response.json()["items"][0]["id"]
    assert [r["id"] for r in aep.runs(ids["flow"])] == [run_id]
    assert aep.post("/flowservice/runs", json={"flowId": "nope"}).status_code == 400


def _window() -> dict[str, str]:
    return {"startTime": "1663735590", "windowStartTime": "1651584991", "windowEndTime": "1651585956"}


def test_run_outcomes_per_flow_and_global(aep: Aep) -> None:
    first = aep.onboard(startTime=str(int(time.time()) + 3600), frequency="once")
    second = aep.onboard("customers", startTime=str(int(time.time()) + 3600), frequency="once")
    assert aep.admin("POST", "/run-outcome", json={"outcome": "partialSuccess", "flowId": first["flow"]}).ok
    partial = aep.finished_run(first["flow"])
    summary = partial["metrics"]["statusSummary"]
    records = partial["metrics"]["recordSummary"]
    assert summary["status"] == "partialSuccess"
    assert [e["code"] for e in summary["errors"]] == ["INGEST-1212-400", "MAPPER-3700-400"]
    assert summary["errors"][1]["recordCount"] == records["failedRecordCount"] == 1
    assert records["outputRecordCount"] == records["inputRecordCount"] - 1
    assert aep.finished_run(second["flow"])["metrics"]["statusSummary"]["status"] == "success"

    assert aep.admin("POST", "/run-outcome", json={"outcome": "failed"}).json() == {"outcome": "failed"}
    failed = aep.finished_run(second["flow"])
    assert failed["metrics"]["statusSummary"]["errors"][0]["code"] == "CONNECTOR-2001-500"
    assert (
        failed["metrics"]["recordSummary"]["failedRecordCount"]
        == failed["metrics"]["recordSummary"]["inputRecordCount"]
    )
    # the per-flow setting wins over the global one
    assert aep.finished_run(first["flow"])["metrics"]["statusSummary"]["status"] == "partialSuccess"
    assert aep.admin("POST", "/run-outcome", json={"outcome": "sometimes"}).status_code == 400
    assert aep.admin("POST", "/run-outcome", json={"outcome": None, "flowId": "nope"}).status_code == 404


def test_run_outcome_from_config() -> None:
    with EmulatorServer(EmulatorConfig(run_seconds=0.1, run_outcome="failed")) as srv:
        aep = Aep(srv)
        ids = aep.onboard(startTime=str(int(time.time()) + 3600), frequency="once")
        assert aep.finished_run(ids["flow"])["metrics"]["statusSummary"]["status"] == "failed"
        srv.reset()
        aep = Aep(srv)
        ids = aep.onboard(startTime=str(int(time.time()) + 3600), frequency="once")
        assert aep.finished_run(ids["flow"])["metrics"]["statusSummary"]["status"] == "failed"
        srv.set_run_outcome("success")
        assert aep.finished_run(ids["flow"])["metrics"]["statusSummary"]["status"] == "success"
        srv.set_run_outcome("partialSuccess", ids["flow"])
        assert aep.finished_run(ids["flow"])["metrics"]["statusSummary"]["status"] == "partialSuccess"
        with pytest.raises(KeyError):
            srv.set_run_outcome("failed", "no-such-flow")
        with pytest.raises(ValueError, match="outcome"):
            srv.set_run_outcome(None)
    with pytest.raises(ValueError, match="run_outcome"):
        EmulatorConfig(run_outcome="maybe")


def test_re_trigger_keeps_the_window(aep: Aep) -> None:
    ids = aep.onboard(startTime=str(int(time.time()) + 3600), frequency="once")
    run = aep.finished_run(ids["flow"])
    again = aep.post(f"/flowservice/runs/{run['id']}/action", params={"op": "RE_TRIGGER"})
    assert again.status_code == 200
    rerun = aep.get(f"/flowservice/runs/{again.json()['id']}").json()["items"][0]
    assert rerun["id"] != run["id"]
    assert _copy_window(rerun) == _copy_window(run) == (1651584991000, 1651585956000)


def _copy_window(run: dict[str, Any]) -> tuple[int, int]:
    """The documented window (monitor.md): copyActivity's durationSummary.extensions, epoch ms."""
    copy_activity = next(a for a in run["activities"] if a["id"] == "copyActivity")
    extensions = copy_activity["durationSummary"]["extensions"]
    return extensions["windowStart"], extensions["windowEnd"]


def test_a_run_shows_its_documented_window_and_no_params(aep: Aep) -> None:
    ids = aep.onboard(startTime=str(int(time.time()) + 3600), frequency="once")
    run = aep.finished_run(ids["flow"])
    assert "params" not in run
    assert _copy_window(run) == (1651584991000, 1651585956000)
    listed = next(r for r in aep.runs(ids["flow"]) if r["id"] == run["id"])
    assert "params" not in listed and _copy_window(listed) == _copy_window(run)


def test_an_on_demand_runs_window_is_in_its_copy_activity_in_ms_and_a_scheduled_run_has_none(
    aep: Aep,
) -> None:
    """monitor.md (reference §2.9): `copyActivity.durationSummary.extensions.windowStart/windowEnd`."""
    flow_id = aep.onboard()["flow"]
    run = aep.finished_run(flow_id)
    copy = next(a for a in run["activities"] if a["id"] == "copyActivity")
    assert copy["durationSummary"]["extensions"] == {"windowStart": 1651584991000, "windowEnd": 1651585956000}
    scheduled = [r for r in aep.runs(flow_id) if r["id"] != run["id"]]
    assert scheduled
    for other in scheduled:
        copy = next(a for a in other["activities"] if a["id"] == "copyActivity")
        assert "extensions" not in copy["durationSummary"]
