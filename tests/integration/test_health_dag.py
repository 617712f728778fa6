"""aep_dataflow_health over three onboarded flows (one healthy, one failing, one stale), with
dag.test() against the emulator over real HTTP: it names each flow with its verdict, fails, and reads
one paged list of flows plus one paged list of runs per flow."""

from __future__ import annotations

import time
from urllib.parse import parse_qs

import pytest
import requests
from aep_testing import requests_to, run_dag

pytestmark = pytest.mark.usefixtures("airflow_db")
PATHS = {"charges": "ok", "customers": "failing", "refunds": "stale"}


def wait_for_a_finished_run_with_failed_rows(aep, flow_id: str, timeout: float = 30) -> None:
    """The failing flow's next run (one a second in this emulator) ends with failed rows."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = requests.get(f"{aep.url}/_emulator/state", timeout=5).json()["sandboxes"]["prod"]["runs"]
        if any(
            r["flowId"] == flow_id
            and r["metrics"]["statusSummary"]["status"] != "inProgress"
            and r["metrics"]["recordSummary"]["failedRecordCount"] > 0
            for r in runs
        ):
            return
        time.sleep(0.3)
    raise AssertionError("the failing flow had no finished run with failed rows")


def test_the_health_dag_names_each_flow_with_its_verdict_and_fails(connections, capfd):
    aep = connections
    conf = {
        "name_prefix": "Health",
        "resource_paths": list(PATHS),
        "frequency": "minute",
        "interval": 15,
        "poll_interval": 0.2,
    }
    onboarded, _ = run_dag("stripe_to_aep_all_resources", conf)
    assert str(onboarded.state).endswith("success")
    flows = {f["name"]: f["id"] for f in aep.state.sandbox("prod").flows.values()}
    ids = {path: flows[f"Health Stripe {path} dataflow"] for path in PATHS}
    failing = {"flowId": ids["customers"], "share": 0.03, "records": 100, "codes": ["MAPPER-3700-400"]}
    assert requests.post(f"{aep.url}/_emulator/failed-rows", json=failing, timeout=5).ok
    stale = requests.post(
        f"{aep.url}/_emulator/flows/{ids['refunds']}/stale", json={"age_seconds": 7200}, timeout=5
    )
    assert stale.ok
    wait_for_a_finished_run_with_failed_rows(aep, ids["customers"])
    aep.state.request_log.clear()

    dagrun, xcom = run_dag("aep_dataflow_health", {"name_prefix": "Health"})
    assert str(dagrun.state).endswith("failed")
    verdicts = {v["name"]: v for v in xcom[("check_dataflows", "health")]}
    assert {name: v["verdict"] for name, v in verdicts.items()} == {
        f"Health Stripe {path} dataflow": verdict for path, verdict in PATHS.items()
    }
    failing_flow = verdicts["Health Stripe customers dataflow"]
    assert failing_flow["failed_ratio"] > 0.005
    assert failing_flow["top_codes"][0]["code"] in ("MAPPER-3700-400", "INGEST-1212-400")
    assert "no successful run for" in verdicts["Health Stripe refunds dataflow"]["reasons"][0]

    log = capfd.readouterr()
    text = log.out + log.err
    for path, verdict in PATHS.items():
        assert any(f"Health Stripe {path} dataflow" in line and verdict in line for line in text.splitlines())

    # One paged list of flows, then one paged list of runs per flow (a next page carries the token).
    flow_lists = requests_to(aep, method="GET", path="/data/foundation/flowservice/flows")
    assert len([r for r in flow_lists if "continuationToken" not in r["query"]]) == 1
    runs = requests_to(aep, method="GET", path="/data/foundation/flowservice/runs")
    first_pages = [parse_qs(r["query"]) for r in runs if "continuationToken" not in r["query"]]
    assert sorted(q["property"][0] for q in first_pages) == sorted(f"flowId=={i}" for i in ids.values())
    assert all(
        any(p.startswith("metrics.durationSummary.startedAtUTC>") for p in q["property"]) for q in first_pages
    )
    assert not [r for r in aep.state.request_log if "/runs/" in r["path"] or "/export/" in r["path"]]
