"""AEP's runs as Asset events under a real scheduler, DAG processor, triggerer and API server:
`on_stripe_data_landed` (scheduled on the dataflow's runs Asset, fed by an AssetWatcher) handles each
run the emulator finishes exactly once: the run AEP's own schedule starts (the flow's one-time run) and
the runs `stripe_to_aep_ingest` starts alike, including a run that ended while the triggerer was down
(the watcher resumes from the Asset's state store).

Run with `make test-real` (needs Airflow 3).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import inventory
import pytest
from aep_testing import CLIENT_SECRET, EXAMPLE_DAGS, STRIPE_KEY, aep_connection
from airflow_cluster import AirflowCluster, airflow_bin

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.links import dataflow_runs_asset_uri
from airflow_provider_stripe_aep.resources.naming import onboarding_names

pytestmark = pytest.mark.slow

LANDED = "on_stripe_data_landed"
ONBOARDING = "stripe_to_aep_onboarding"
INGEST = "stripe_to_aep_ingest"
PREFIX = "Watched"
RESOURCE = "charges"
FLOW = onboarding_names(PREFIX, RESOURCE).dataflow
RUNS_ASSET = dataflow_runs_asset_uri("prod", FLOW)
TIMEOUT = 240.0


@pytest.fixture(scope="module")
def aep() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(run_seconds=4.0, run_interval_seconds=3600.0)) as server:
        yield server


@pytest.fixture(scope="module")
def cluster(aep: EmulatorServer) -> Iterator[AirflowCluster]:
    home = Path(tempfile.mkdtemp(prefix="stripe-aep-watcher-"))
    conns = {
        "aep_default": aep_connection(aep),
        "stripe_default": {"conn_type": "stripe", "password": STRIPE_KEY},
    }
    env = {
        "STRIPE_AEP_NAME_PREFIX": PREFIX,
        "STRIPE_AEP_RESOURCE_PATH": RESOURCE,
        "STRIPE_AEP_WATCH_POLL_INTERVAL": "1",
        "STRIPE_AEP_INGEST_SCHEDULE": "@yearly",  # only the intervals this test starts
        # Asset-triggered DAG runs need the scheduler's job schedule (named, though it is the default).
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True",
        # The test starts its DAGs' runs itself and needs them to start: unpaused at creation.
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
    }
    with AirflowCluster(home, EXAMPLE_DAGS, conns, extra_env=env) as running:
        for dag_id in (LANDED, ONBOARDING, INGEST):
            running.wait_for_dag(dag_id)
        yield running


def flow_runs(aep: EmulatorServer) -> list[dict[str, Any]]:
    store = aep.state.sandbox("prod")
    with aep.state.lock:
        flow_ids = {f["id"] for f in store.flows.values() if f["name"] == FLOW}
        return [dict(r) for r in store.runs.values() if r["flowId"] in flow_ids]


def watcher_events(cluster: AirflowCluster) -> list[str]:
    """The run ID of every event of the runs Asset (the watcher's)."""
    rows = cluster.query(
        "SELECT e.extra FROM asset_event e JOIN asset a ON a.id = e.asset_id WHERE a.uri = ? ORDER BY e.id",
        RUNS_ASSET,
    )
    return [json.loads(extra)["payload"]["run_id"] for (extra,) in rows]


def handled_runs(cluster: AirflowCluster) -> list[str]:
    """The AEP run IDs `on_stripe_data_landed` handled, over all its finished DAG runs."""
    handled = []
    for (run_id,) in cluster.query(
        "SELECT run_id FROM dag_run WHERE dag_id = ? AND state = 'success'", LANDED
    ):
        runs = cluster.xcom_values(LANDED, run_id).get(("landed_runs", -1, "return_value")) or []
        handled.extend(r["run_id"] for r in runs)
    return handled


def landed_states(cluster: AirflowCluster) -> list[str]:
    return [state for (state,) in cluster.query("SELECT state FROM dag_run WHERE dag_id = ?", LANDED)]


def wait_handled(cluster: AirflowCluster, run_ids: set[str], what: str) -> None:
    def done() -> bool:
        states = landed_states(cluster)
        return run_ids <= set(handled_runs(cluster)) and all(s in ("success", "failed") for s in states)

    cluster.wait_for(done, TIMEOUT, what, interval=1.0)


def ingest(cluster: AirflowCluster, day: int, deferrable: bool) -> str:
    start, end = f"2026-03-{day:02d}T00:00:00Z", f"2026-03-{day + 1:02d}T00:00:00Z"
    body = {
        "dag_run_id": f"watched-ingest-{day}",
        "logical_date": start,
        "data_interval_start": start,
        "data_interval_end": end,
        "conf": {
            "name_prefix": PREFIX,
            "resource_path": RESOURCE,
            "poll_interval": 0.5,
            "deferrable": deferrable,
        },
    }
    run_id = str(cluster.api("POST", f"/api/v2/dags/{INGEST}/dagRuns", body)["dag_run_id"])
    assert cluster.wait_for_runs(INGEST, [run_id], TIMEOUT) == {run_id: "success"}
    return run_id


def stop_triggerer(cluster: AirflowCluster) -> None:
    proc = cluster.procs.pop("triggerer")
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(60)


def start_triggerer(cluster: AirflowCluster) -> None:
    out = (cluster.home / "triggerer-restarted.out").open("wb")
    cluster.procs["triggerer"] = subprocess.Popen(
        [airflow_bin(), "triggerer"],
        env=cluster.env(),
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    out.close()


def test_each_finished_aep_run_reaches_the_downstream_dag_once(cluster: AirflowCluster, aep: EmulatorServer):
    # 1. The onboarding creates the flow (scheduled `once`): AEP starts its one-time run itself.
    onboarding = cluster.trigger(
        ONBOARDING, {"name_prefix": PREFIX, "resource_path": RESOURCE}, "watched-onboard"
    )
    assert cluster.wait_for_runs(ONBOARDING, [onboarding], TIMEOUT) == {onboarding: "success"}
    scheduled = {r["id"] for r in flow_runs(aep)}
    assert len(scheduled) == 1
    wait_handled(cluster, scheduled, "the AEP-scheduled run handled downstream")

    # 2. The ingest DAG starts an on-demand run and announces the dataset's Asset: the downstream DAG
    # hears that run once, from the watcher.
    ingest(cluster, 10, deferrable=True)
    first_ingest = {r["id"] for r in flow_runs(aep)} - scheduled
    assert len(first_ingest) == 1
    wait_handled(cluster, scheduled | first_ingest, "the ingest DAG's run handled downstream")

    # 3. The triggerer stops; a run starts and ends while it is down; a new triggerer announces it.
    stop_triggerer(cluster)
    ingest(cluster, 11, deferrable=False)
    while_down = {r["id"] for r in flow_runs(aep)} - scheduled - first_ingest
    assert len(while_down) == 1
    start_triggerer(cluster)
    everything = scheduled | first_ingest | while_down
    wait_handled(cluster, everything, "the run that ended while the triggerer was down")

    # A few more polls: nothing comes twice.
    time.sleep(8)
    finished = {r["id"] for r in flow_runs(aep)}
    assert finished == everything
    assert Counter(watcher_events(cluster)) == dict.fromkeys(everything, 1)
    assert Counter(handled_runs(cluster)) == dict.fromkeys(everything, 1)
    assert set(landed_states(cluster)) == {"success"}
    restarted = (cluster.home / "triggerer-restarted.out").read_text(encoding="utf-8", errors="replace")
    assert "Resuming after" in restarted or any(
        "Resuming after" in p.read_text(encoding="utf-8", errors="replace")
        for p in cluster.log_files()
        if "trigger" in p.name
    )

    # No secret in any log.
    with aep.state.lock:
        secrets = [CLIENT_SECRET, STRIPE_KEY, *aep.state.tokens]
    leaks = [
        str(p) for p in cluster.log_files() if inventory.secrets_in(p.read_text(errors="replace"), secrets)
    ]
    assert leaks == []
    print(
        f"\n[asset watcher] AEP runs finished {len(finished)} (1 by AEP's schedule, 2 by the ingest "
        f"DAG, 1 of them while the triggerer was down); watcher events {len(watcher_events(cluster))}; "
        f"{LANDED} DAG runs {len(landed_states(cluster))}, runs handled {len(handled_runs(cluster))}"
    )
