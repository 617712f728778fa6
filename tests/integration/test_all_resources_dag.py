"""stripe_to_aep_all_resources, run with dag.test() against the emulator over real HTTP."""

from __future__ import annotations

import pytest
from aep_testing import platform_posts, run_dag

from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

DAG_ID = "stripe_to_aep_all_resources"
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("airflow_db")]


def test_all_six_paths_share_one_base_connection_and_a_rerun_creates_nothing(connections):
    aep = connections
    conf = {"name_prefix": "All", "poll_interval": 0.2}
    dagrun, xcom = run_dag(DAG_ID, conf)
    assert str(dagrun.state).endswith("success")
    store = aep.state.sandbox("prod")

    assert [c["name"] for c in store.connections.values()] == ["All Stripe base connection"]
    base_id = xcom[("create_base_connection", "return_value")]
    flows = {f["name"]: f for f in store.flows.values()}
    assert sorted(flows) == sorted(f"All Stripe {path} dataflow" for path in RESOURCE_PATHS)
    for path in RESOURCE_PATHS:
        group = f"onboard_{path}"
        flow = store.flows[xcom[(f"{group}.create_dataflow", "return_value")]]
        source = store.source_connections[flow["sourceConnectionIds"][0]]
        assert source["baseConnectionId"] == base_id
        assert source["params"] == {"resourcePath": path}
        run = xcom[(f"{group}.wait_for_run", "return_value")]
        assert run["status"] == "success"
        assert run["run_id"] in store.runs
        assert store.runs[run["run_id"]]["flowId"] == flow["id"]
    explores = [r for r in aep.state.request_log if r["path"].endswith("/explore")]
    assert len(explores) == len(RESOURCE_PATHS)
    for kind in ("schemas", "fieldgroups", "datasets", "target_connections", "mapping_sets"):
        assert len(getattr(store, kind)) == len(RESOURCE_PATHS), kind

    aep.state.request_log.clear()
    again, again_xcom = run_dag(DAG_ID, conf)
    assert str(again.state).endswith("success")
    assert platform_posts(aep) == []
    for path in RESOURCE_PATHS:
        key = (f"onboard_{path}.create_dataflow", "return_value")
        assert again_xcom[key] == xcom[key]


def test_resource_paths_chooses_the_subset_and_skips_the_others(connections):
    aep = connections
    dagrun, _ = run_dag(
        DAG_ID, {"name_prefix": "Some", "poll_interval": 0.2, "resource_paths": ["refunds", "prices"]}
    )
    assert str(dagrun.state).endswith("success")
    store = aep.state.sandbox("prod")
    assert sorted(f["name"] for f in store.flows.values()) == [
        "Some Stripe prices dataflow",
        "Some Stripe refunds dataflow",
    ]
    states = {ti.task_id: str(ti.state) for ti in dagrun.get_task_instances()}
    for path in RESOURCE_PATHS:
        expected = "success" if path in ("refunds", "prices") else "skipped"
        assert states[f"onboard_{path}.create_dataflow"].endswith(expected), path
        assert states[f"onboard_{path}.wait_for_run"].endswith(expected), path
