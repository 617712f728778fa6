"""20 deferred sensors waiting on one flow in a real Airflow 3 (scheduler, DAG processor, triggerer and
API server as separate processes): the triggerer sends one `GET /runs` of the flow per poll interval
for all of them, and each sensor finishes on its own run. Run with `make test-real`."""

from __future__ import annotations

import itertools
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aep_testing import CLIENT_SECRET, aep_connection, onboard
from airflow_cluster import AirflowCluster

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

pytestmark = pytest.mark.slow

DAG_ID = "coalesced_polling_20_sensors"
SENSORS = 20
INTERVAL = 5.0
RUN_SECONDS = 100.0
"""Long enough for all twenty sensors to start and defer on two shared cores before their runs end."""

DAG_FILE = f'''
import pendulum
from airflow.sdk import DAG

from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor

with DAG("{DAG_ID}", schedule=None, start_date=pendulum.datetime(2026, 1, 1), catchup=False):
    for i in range({SENSORS}):
        AEPDataflowRunSensor(
            task_id=f"wait_{{i:02d}}",
            flow_id="{{{{ dag_run.conf['flow_id'] }}}}",
            run_id="{{{{ dag_run.conf['runs'][%d] }}}}" % i,
            poll_interval={INTERVAL},
            deferrable=True,
            timeout=600,
        )
'''


@pytest.fixture(scope="module")
def aep() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(run_seconds=RUN_SECONDS, run_interval_seconds=3600.0)) as server:
        yield server


@pytest.fixture(scope="module")
def cluster(aep: EmulatorServer) -> Iterator[AirflowCluster]:
    home = Path(tempfile.mkdtemp(prefix="stripe-aep-coalesced-"))
    dags = home / "dags"
    dags.mkdir(parents=True)
    (dags / "coalesced_polling.py").write_text(DAG_FILE, encoding="utf-8")
    conns = {"aep_default": aep_connection(aep)}
    with AirflowCluster(
        home,
        dags,
        conns,
        extra_env={"AIRFLOW__CORE__PARALLELISM": "8", "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False"},
    ) as running:
        running.wait_for_dag(DAG_ID)
        yield running


def list_reads(aep: EmulatorServer, flow_id: str) -> int:
    with aep.state.lock:
        log = list(aep.state.request_log)
    return sum(
        1 for e in log if e["method"] == "GET" and e["path"].endswith("/runs") and flow_id in e["query"]
    )


def by_id_reads(aep: EmulatorServer, run_ids: list[str]) -> int:
    with aep.state.lock:
        log = list(aep.state.request_log)
    return sum(1 for e in log if e["method"] == "GET" and e["path"].rsplit("/", 1)[-1] in run_ids)


def test_twenty_deferred_sensors_on_one_flow_share_one_poll_per_interval(
    cluster: AirflowCluster, aep: EmulatorServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    runs = [
        hook.trigger_run(flow_id, window_start=1_700_000_000 + d * 3600, window_end=1_700_003_600 + d * 3600)[
            0
        ]
        for d in range(SENSORS)
    ]
    # The run list's reads, timed from here (the emulator's log has no clock).
    reads: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        seen = list_reads(aep, flow_id)
        while not stop.is_set():
            now = list_reads(aep, flow_id)
            reads.extend([time.monotonic()] * (now - seen))
            seen = now
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run_id = cluster.trigger(DAG_ID, {"flow_id": flow_id, "runs": runs}, f"coalesced-{int(time.time())}")
        states = cluster.wait_for_runs(DAG_ID, [run_id], RUN_SECONDS + 240)
    finally:
        stop.set()
        sampler.join(5)
    tis = cluster.task_instances(DAG_ID, run_id)
    assert states == {run_id: "success"}, [(t["task_id"], t["state"]) for t in tis]

    # Every sensor deferred (its run was still going) and finished on its own run.
    xcom = cluster.xcom_values(DAG_ID, run_id)
    for i in range(SENSORS):
        task_id = f"wait_{i:02d}"
        folder = cluster.home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={task_id}"
        log = "\n".join(p.read_text(errors="replace") for p in folder.glob("attempt=*.log"))
        assert "Pausing task as DEFERRED" in log, f"{task_id} did not defer"
        assert xcom[(task_id, -1, "return_value")]["run_id"] == runs[i]

    # No run asked by ID but each sensor's own look before it deferred (from its worker): the
    # triggerer read only the run list (a trigger polling alone asks its run by ID every interval).
    by_id = by_id_reads(aep, runs)
    assert by_id <= SENSORS, f"{by_id} GET /runs/{{id}} for {SENSORS} sensors"
    # One read of the run list per interval for all twenty (their runs are the 20 newest: one page).
    assert reads, "the triggerer never read the run list"
    span = reads[-1] - reads[0]
    gaps = [b - a for a, b in itertools.pairwise(reads)]
    print(
        f"\n{len(reads)} GET /runs of the flow in {span:.0f} s for {SENSORS} deferred sensors "
        f"at a {INTERVAL:.0f} s interval; gaps {', '.join(f'{g:.1f}' for g in gaps)} s"
    )
    assert len(reads) <= span / INTERVAL + 2
    # Rounds are an interval apart, counted from when each began; the first round's read goes out
    # late (the triggerer first looks up the connection and gets a token), so its gap is left out.
    assert min(gaps[1:], default=INTERVAL) >= INTERVAL * 0.7  # never two rounds in one interval
    assert CLIENT_SECRET not in "\n".join(p.read_text(errors="replace") for p in cluster.log_files())
