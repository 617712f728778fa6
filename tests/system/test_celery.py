"""The onboarding on a distributed executor: a real Airflow 3 with CeleryExecutor (Redis broker), two
Celery workers and two triggerers, against the bundled emulator. `stripe_to_aep_all_resources`, then two
data intervals of `stripe_to_aep_ingest`, succeed with every resource and every AEP run made once, at
most one IMS token per task process, and no secret in any log.

Run with `make test-celery` (installs Redis from Debian's packages and the `[celery-test]` extra).
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import inventory
import pytest
from aep_testing import CLIENT_SECRET, EXAMPLE_DAGS, STRIPE_KEY, aep_connection
from celery_cluster import TRIGGERERS, CeleryCluster

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.resources.run_status import run_window
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

pytestmark = pytest.mark.slow

ALL_RESOURCES = "stripe_to_aep_all_resources"
INGEST = "stripe_to_aep_ingest"
PREFIX = "Celery"
RUN_TIMEOUT = 300.0
TOKEN_REQUEST = "Requesting an IMS access token"
INTERVALS = (
    ("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z"),
    ("2026-03-11T00:00:00Z", "2026-03-12T00:00:00Z"),
)


@pytest.fixture(scope="module")
def aep() -> Iterator[EmulatorServer]:
    # Runs last 8 s, so the waits find them running and defer to a triggerer; no scheduled runs
    # beyond each flow's one-time run within the test.
    with EmulatorServer(EmulatorConfig(run_seconds=8.0, run_interval_seconds=3600.0)) as server:
        yield server


@pytest.fixture(scope="module")
def cluster(aep: EmulatorServer) -> Iterator[CeleryCluster]:
    home = Path(tempfile.mkdtemp(prefix="stripe-aep-celery-"))
    conns = {
        "aep_default": aep_connection(aep),
        "stripe_default": {"conn_type": "stripe", "password": STRIPE_KEY},
    }
    # This test starts every DAG run itself (the ingest DAG's own schedule runs in test-real): named
    # settings, so that its runs start unpaused and no scheduled run adds an AEP run it does not count.
    settings = {
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
    }
    with CeleryCluster(home, EXAMPLE_DAGS, conns, extra_env=settings) as running:
        running.wait_for_dag(ALL_RESOURCES)
        running.wait_for_dag(INGEST)
        yield running


def _secrets(aep: EmulatorServer) -> list[str]:
    with aep.state.lock:
        tokens = list(aep.state.tokens)
    return [CLIENT_SECRET, STRIPE_KEY, *tokens]


def _tokens_minted(aep: EmulatorServer) -> int:
    with aep.state.lock:
        return sum(1 for r in aep.state.request_log if r["method"] == "POST" and r["path"] == "/ims/token/v3")


def _trigger_interval(cluster: CeleryCluster, start: str, end: str, conf: dict[str, Any]) -> str:
    body = {
        "dag_run_id": f"celery-ingest-{start[:10]}",
        "logical_date": start,
        "data_interval_start": start,
        "data_interval_end": end,
        "conf": conf,
    }
    return str(cluster.api("POST", f"/api/v2/dags/{INGEST}/dagRuns", body)["dag_run_id"])


def test_all_resources_and_two_ingest_intervals_on_celery(cluster: CeleryCluster, aep: EmulatorServer):
    started = time.monotonic()
    onboarding = cluster.trigger(
        ALL_RESOURCES, {"name_prefix": PREFIX, "poll_interval": 0.5, "deferrable": True}, "celery-onboard"
    )
    assert cluster.wait_for_runs(ALL_RESOURCES, [onboarding], RUN_TIMEOUT) == {onboarding: "success"}, [
        (t["task_id"], t["state"]) for t in cluster.task_instances(ALL_RESOURCES, onboarding)
    ]

    conf = {"name_prefix": PREFIX, "resource_path": "charges", "poll_interval": 0.5, "deferrable": True}
    ingests = [_trigger_interval(cluster, start, end, conf) for start, end in INTERVALS]
    states = cluster.wait_for_runs(INGEST, ingests, RUN_TIMEOUT)
    assert states == dict.fromkeys(ingests, "success"), [
        (r, t["task_id"], t["state"]) for r in ingests for t in cluster.task_instances(INGEST, r)
    ]
    elapsed = time.monotonic() - started

    # Every resource once.
    dump = inventory.state_dump(aep.url)
    made = inventory.with_prefix(inventory.resources(dump), PREFIX)
    assert inventory.counts(made) == inventory.expected_counts(len(RESOURCE_PATHS))
    assert inventory.duplicates(made) == {}

    # Every AEP run once: one one-time run per flow (the onboarding's), one on-demand run per interval.
    flows = {
        f["id"]: f["name"] for f in dump["sandboxes"]["prod"]["flows"] if f["name"].startswith(f"{PREFIX} ")
    }
    runs = [r for r in dump["sandboxes"]["prod"]["runs"] if r["flowId"] in flows]
    # An on-demand run shows its window where AEP documents it (copyActivity); a scheduled run shows none.
    on_demand = [r for r in runs if run_window(r)]
    scheduled = Counter(r["flowId"] for r in runs if not run_window(r))
    assert scheduled == dict.fromkeys(flows, 1)
    windows = sorted(run_window(r) for r in on_demand)
    assert len(windows) == len(INTERVALS) == len(set(windows))
    returned = [cluster.xcom_values(INGEST, r)[("ingest_interval", -1, "return_value")] for r in ingests]
    assert sorted(returned) == sorted(r["id"] for r in on_demand)

    # The work was spread: both Celery workers ran tasks; the triggers ran in the triggerers.
    per_worker = cluster.worker_hosts()
    assert all(n > 0 for n in per_worker.values()), per_worker
    triggerer_jobs = {row[0] for row in cluster.query("SELECT id FROM job WHERE job_type = 'TriggererJob'")}
    assert len(triggerer_jobs) >= TRIGGERERS
    trigger_logs = [p for p in cluster.log_files() if ".log.trigger." in p.name]
    assert trigger_logs, "no wait deferred to a triggerer"
    used = {int(p.name.rsplit(".", 2)[-2]) for p in trigger_logs}
    assert used <= triggerer_jobs

    # At most one IMS token per task process: each task try is one process, a deferred task resumes
    # in a second one; each triggerer is one more.
    tis = [
        *cluster.task_instances(ALL_RESOURCES, onboarding),
        *(t for r in ingests for t in cluster.task_instances(INGEST, r)),
    ]
    task_logs = [p for p in cluster.log_files() if p.parent.name.startswith("task_id=")]
    per_file = {
        str(p): p.read_text(encoding="utf-8", errors="replace").count(TOKEN_REQUEST) for p in task_logs
    }
    processes = sum(t["try_number"] for t in tis) + len(trigger_logs) + TRIGGERERS
    minted = _tokens_minted(aep)
    assert minted <= processes
    assert max(per_file.values()) <= 2  # a deferred wait's log holds both of its processes

    # No secret (client secret, Stripe key, any IMS token) in any task, trigger or component log.
    leaks = {}
    for path in cluster.log_files():
        found = inventory.secrets_in(path.read_text(encoding="utf-8", errors="replace"), _secrets(aep))
        if found:
            leaks[str(path.relative_to(cluster.home))] = len(found)
    assert leaks == {}
    print(
        f"\n[celery] {ALL_RESOURCES} + {len(ingests)} intervals of {INGEST} in {elapsed:.0f} s; "
        f"task instances {len(tis)}, per worker {per_worker}, triggerers used {sorted(used)} of "
        f"{sorted(triggerer_jobs)}, IMS tokens {minted} (<= {processes}), resources "
        f"{sum(inventory.counts(made).values())}, AEP runs {len(runs)}, duplicates 0, secrets in logs 0"
    )
