"""The onboarding DAGs in a real Airflow 3: scheduler, DAG processor, triggerer and API server as
separate processes (LocalExecutor, SQLite, as `airflow standalone` runs them), every task in its own
process, the sensor deferred to the triggerer, DEBUG logging, against the bundled emulator.

Run with `make test-real` (needs Airflow 3; a few minutes on two cores).
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import inventory
import psutil
import pytest
from aep_testing import CLIENT_SECRET, EXAMPLE_DAGS, STRIPE_KEY, aep_connection
from airflow_cluster import AirflowCluster

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.emulator.flow_runs import render_run
from airflow_provider_stripe_aep.resources.naming import onboarding_names
from airflow_provider_stripe_aep.resources.run_status import run_window
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

pytestmark = pytest.mark.slow

ONBOARDING = "stripe_to_aep_onboarding"
ALL_RESOURCES = "stripe_to_aep_all_resources"
PAYMENTS = "payments_to_aep_onboarding"
TEARDOWN = "stripe_to_aep_teardown"
INGEST = "stripe_to_aep_ingest"
HEALTH = "aep_dataflow_health"
LANDED = "stripe_to_aep_landed_report"
PAYPAL_SECRET = "real-paypal-secret-5c1e"
RUN_TIMEOUT = 240.0
TOKEN_REQUEST = "Requesting an IMS access token"


DAGS_FOLDER = Path(os.environ.get("STRIPE_AEP_DAGS_FOLDER") or EXAMPLE_DAGS)


def present_dags() -> list[str]:
    """The DAG ids this checkout ships (all_resources joins as soon as its file exists)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in DAGS_FOLDER.glob("*.py"))
    return [d for d in (ONBOARDING, ALL_RESOURCES) if re.search(rf"dag_id=[\"']{d}[\"']", text)]


def paths_of(dag_id: str) -> int:
    return len(RESOURCE_PATHS) if dag_id == ALL_RESOURCES else 1


@pytest.fixture(scope="module")
def aep() -> Iterator[EmulatorServer]:
    # Runs last long enough (8 s) for the sensor to find them running and defer.
    with EmulatorServer(EmulatorConfig(run_seconds=8.0, run_interval_seconds=30.0)) as server:
        yield server


@pytest.fixture(scope="module")
def cluster(aep: EmulatorServer) -> Iterator[AirflowCluster]:
    home = Path(tempfile.mkdtemp(prefix="stripe-aep-real-airflow-"))
    conns = {
        "aep_default": aep_connection(aep),
        "stripe_default": {"conn_type": "stripe", "password": STRIPE_KEY},
        "paypal_default": {"conn_type": "generic", "host": "h", "login": "l", "password": PAYPAL_SECRET},
    }
    # The ingest DAG's own schedule, every minute (the DAG's env var, as a user would set it).
    # The health DAG's every minute too, by its own env var (unpaused in its test only).
    dag_env = {"STRIPE_AEP_INGEST_SCHEDULE": "* * * * *", "AEP_DATAFLOW_HEALTH_SCHEDULE": "* * * * *"}
    with AirflowCluster(home, DAGS_FOLDER, conns, extra_env=dag_env) as running:
        for dag_id in (*present_dags(), PAYMENTS, TEARDOWN, INGEST, LANDED, HEALTH):
            running.wait_for_dag(dag_id)
            # The ingest DAG is unpaused once its flow is onboarded, the health DAG in its test.
            if dag_id not in (INGEST, HEALTH):
                running.set_paused(dag_id, False)
        yield running


def secrets(aep: EmulatorServer) -> list[str]:
    """The client secret, the Stripe key, and every IMS token the emulator minted so far."""
    with aep.state.lock:
        tokens = list(aep.state.tokens)
    return [CLIENT_SECRET, STRIPE_KEY, PAYPAL_SECRET, *tokens]


def leaked_files(cluster: AirflowCluster, aep: EmulatorServer) -> dict[str, int]:
    leaks = {}
    for path in cluster.log_files():
        found = inventory.secrets_in(path.read_text(encoding="utf-8", errors="replace"), secrets(aep))
        if found:
            leaks[str(path.relative_to(cluster.home))] = len(found)
    return leaks


def token_requests(aep: EmulatorServer, since: int) -> int:
    with aep.state.lock:
        log = aep.state.request_log[since:]
    return sum(1 for r in log if r["method"] == "POST" and r["path"] == "/ims/token/v3")


def log_position(aep: EmulatorServer) -> int:
    with aep.state.lock:
        return len(aep.state.request_log)


def conf_for(dag_id: str, prefix: str, **more: Any) -> dict[str, Any]:
    return {"name_prefix": prefix, "poll_interval": 0.5, **more}


@pytest.mark.parametrize("dag_id", present_dags())
def test_an_onboarding_in_real_airflow(cluster: AirflowCluster, aep: EmulatorServer, dag_id: str):
    prefix = f"Real {'all' if dag_id == ALL_RESOURCES else 'one'}"
    start = log_position(aep)
    run_id = cluster.trigger(dag_id, conf_for(dag_id, prefix, deferrable=True), f"real-{int(time.time())}")
    states = cluster.wait_for_runs(dag_id, [run_id], RUN_TIMEOUT)
    tis = cluster.task_instances(dag_id, run_id)
    assert states == {run_id: "success"}, [(t["task_id"], t["state"]) for t in tis]

    # Every resource exactly once, and every XCom ID is one of them.
    made = inventory.with_prefix(inventory.resources(inventory.state_dump(aep.url)), prefix)
    assert inventory.counts(made) == inventory.expected_counts(paths_of(dag_id))
    assert inventory.duplicates(made) == {}
    xcom = cluster.xcom_values(dag_id, run_id)
    created = inventory.created_ids((task, key, value) for (task, _, key), value in xcom.items())
    assert len(created) == 1 + 7 * paths_of(dag_id)
    assert {i for _, i in created} <= inventory.ids(made)

    # The sensors that found their run still going deferred, and their triggers polled from the
    # triggerer process (the only one's in the onboarding; all_resources' last groups may start after
    # their runs ended).
    waits = [t for t in tis if t["task_id"].endswith("wait_for_run")]
    assert waits and all(t["state"] == "success" for t in waits)
    triggerers = {row[0] for row in cluster.query("SELECT id FROM job WHERE job_type = 'TriggererJob'")}
    deferred = []
    for wait in waits:
        log = _task_log(cluster, dag_id, run_id, wait["task_id"], "attempt=*.log")
        if "Pausing task as DEFERRED" not in log:
            assert re.search(r"run \S+ is success", log), f"{wait['task_id']}: not deferred, not done"
            continue
        deferred.append(wait["task_id"])
        trigger_logs = _task_files(cluster, dag_id, run_id, wait["task_id"], "attempt=*.log.trigger.*.log")
        assert trigger_logs, f"no trigger log for {wait['task_id']}"
        assert {int(p.name.rsplit(".", 2)[-2]) for p in trigger_logs} <= triggerers
        trigger_log = "\n".join(p.read_text(encoding="utf-8") for p in trigger_logs)
        # (what the trigger itself logged may be cut short when the triggerer flushes under load)
        assert wait["task_id"] in trigger_log
    assert len(deferred) == len(waits) if dag_id == ONBOARDING else deferred

    # No secret in any task, trigger or component log.
    assert leaked_files(cluster, aep) == {}

    # At most one IMS token per task process: every task attempt is one process (a deferred task
    # resumes in a second one), the triggerer is one more.
    logs = cluster.task_log_files(dag_id, run_id)
    per_file = {str(p): p.read_text(encoding="utf-8", errors="replace").count(TOKEN_REQUEST) for p in logs}
    resumed = len(deferred)
    processes = sum(t["try_number"] for t in tis) + resumed + 1
    minted = token_requests(aep, start)
    assert minted <= processes
    assert max(per_file.values()) <= 2  # a deferred sensor's log holds both of its processes
    in_triggerer = sum(n for name, n in per_file.items() if ".log.trigger." in name)
    assert in_triggerer <= 1  # the triggerer's triggers share one token
    print(
        f"\n[{dag_id}] tasks {len(tis)}, sensors deferred {len(deferred)}/{len(waits)}, "
        f"task processes {processes - 1} + triggerer, IMS tokens minted "
        f"{minted}, resources {sum(inventory.counts(made).values())} "
        f"(expected {sum(inventory.expected_counts(paths_of(dag_id)).values())}), duplicates 0, "
        f"secrets found in {sum(1 for _ in cluster.log_files())} log files: 0"
    )


def test_two_runs_at_once_create_everything_once(cluster: AirflowCluster, aep: EmulatorServer):
    """Two runs of the same onboarding triggered together: `max_active_runs=1` queues the second,
    which then reuses everything the first made."""
    prefix = "Twice"
    conf = conf_for(ONBOARDING, prefix, resource_path="refunds")
    stamp = int(time.time())
    run_ids = [cluster.trigger(ONBOARDING, conf, f"twice-{n}-{stamp}") for n in (1, 2)]
    states = cluster.wait_for_runs(ONBOARDING, run_ids, RUN_TIMEOUT)
    assert set(states.values()) == {"success"}
    made = inventory.with_prefix(inventory.resources(inventory.state_dump(aep.url)), prefix)
    assert inventory.counts(made) == inventory.expected_counts(1)
    first, second = (cluster.xcom_values(ONBOARDING, r) for r in run_ids)
    assert first[("create_dataflow", -1, "return_value")] == second[("create_dataflow", -1, "return_value")]
    spans = cluster.query(
        "SELECT start_date, end_date FROM dag_run WHERE dag_id = ? AND run_id IN (?, ?) ORDER BY start_date",
        ONBOARDING,
        *run_ids,
    )
    assert spans[0][1] <= spans[1][0], "the two runs overlapped"


def test_the_payments_onboarding_in_real_airflow(cluster: AirflowCluster, aep: EmulatorServer):
    prefix = "Real payments"
    run_id = cluster.trigger(PAYMENTS, conf_for(PAYMENTS, prefix), f"payments-{int(time.time())}")
    states = cluster.wait_for_runs(PAYMENTS, [run_id], RUN_TIMEOUT)
    tis = cluster.task_instances(PAYMENTS, run_id)
    assert states == {run_id: "success"}, [(t["task_id"], t["state"]) for t in tis]
    xcom = cluster.xcom_values(PAYMENTS, run_id)
    flow_id = next(v for (task, _, key), v in xcom.items() if task.endswith("create_dataflow"))
    assert flow_id in aep.state.sandbox("prod").flows
    assert leaked_files(cluster, aep) == {}


def _flow_runs(aep: EmulatorServer, flow_id: str) -> list[dict[str, Any]]:
    """The flow's runs as `GET /runs` shows them (the documented shape)."""
    with aep.state.lock:
        stored = [r for r in aep.state.sandbox("prod").runs.values() if r["flowId"] == flow_id]
        return [render_run(r, aep.config) for r in stored]


def _ingest_runs(cluster: AirflowCluster, run_type: str) -> list[dict[str, Any]]:
    return [r for r in cluster.runs(INGEST) if r["run_type"] == run_type]


def test_the_ingest_dag_on_its_own_schedule_and_by_hand(cluster: AirflowCluster, aep: EmulatorServer):
    """The scheduler runs the ingest DAG every minute (its own timetable, real intervals): each run
    starts exactly one AEP run, the windows are non-empty, contiguous and never repeated; a manual
    run in between joins the chain; a cleared DAG run starts no AEP run."""
    # The names the ingest DAG's defaults look for: prefix "Airflow", resource "charges".
    onboarded = cluster.trigger(
        ONBOARDING, conf_for(ONBOARDING, "Airflow"), f"ingest-setup-{int(time.time())}"
    )
    assert cluster.wait_for_runs(ONBOARDING, [onboarded], RUN_TIMEOUT) == {onboarded: "success"}
    flow_id = cluster.xcom_values(ONBOARDING, onboarded)[("create_dataflow", -1, "return_value")]
    assert aep.state.sandbox("prod").flows[flow_id]["name"] == onboarding_names("Airflow", "charges").dataflow
    before = {r["id"] for r in _flow_runs(aep, flow_id)}

    cluster.set_paused(INGEST, False)

    def scheduled_done(count: int) -> list[dict[str, Any]] | None:
        runs = _ingest_runs(cluster, "scheduled")
        assert all(r["state"] != "failed" for r in runs), runs
        done = [r for r in runs if r["state"] == "success"]
        return done if len(done) >= count else None

    cluster.wait_for(lambda: scheduled_done(2), 4 * 60, "two scheduled ingest runs", interval=2)
    # Triggered mid-minute: at a minute's turn a manual run would ask for exactly the next scheduled
    # run's window, and that run would (rightly) reuse its AEP run.
    cluster.wait_for(lambda: 10 <= time.gmtime().tm_sec <= 45, 60, "mid-minute", interval=0.5)
    manual = cluster.trigger(INGEST, {}, f"ingest-manual-{int(time.time())}")
    assert cluster.wait_for_runs(INGEST, [manual], RUN_TIMEOUT) == {manual: "success"}
    after_manual = len(scheduled_done(0) or []) + 1  # a scheduled run that follows the manual one
    cluster.wait_for(
        lambda: scheduled_done(max(3, after_manual)), 4 * 60, "scheduled runs after the manual", interval=2
    )

    # A cleared (re-run) DAG run starts no AEP run and ends with the same one.
    def aep_run(run_id: str) -> Any:
        return cluster.xcom_values(INGEST, run_id).get(("ingest_interval", -1, "return_value"))

    rerun = _ingest_runs(cluster, "scheduled")[1]["run_id"]
    first_aep_run = aep_run(rerun)
    cluster.clear_run(INGEST, rerun)
    cluster.wait_for(lambda: cluster.run_state(INGEST, rerun) != "success", 30, "the clear", interval=0.5)
    assert cluster.wait_for_runs(INGEST, [rerun], RUN_TIMEOUT) == {rerun: "success"}
    assert aep_run(rerun) == first_aep_run

    cluster.set_paused(INGEST, True)
    cluster.wait_for(
        lambda: all(r["state"] in ("success", "failed") for r in cluster.runs(INGEST)), RUN_TIMEOUT, "quiet"
    )
    dag_runs = cluster.runs(INGEST)
    assert all(r["state"] == "success" for r in dag_runs), dag_runs
    scheduled = [r for r in dag_runs if r["run_type"] == "scheduled"]
    assert len(scheduled) >= 3 and any(r["run_id"] == manual for r in dag_runs)
    assert all(r["data_interval_start"] < r["data_interval_end"] for r in scheduled)  # real intervals
    aep_run_of = {r["run_id"]: aep_run(r["run_id"]) for r in dag_runs}
    new_runs = [r for r in _flow_runs(aep, flow_id) if r["id"] not in before]
    # Exactly one AEP run per DAG run, the cleared one included (it started none of its own).
    assert len(new_runs) == len(dag_runs) == len(set(aep_run_of.values()))
    assert set(aep_run_of.values()) == {r["id"] for r in new_runs}
    windows = sorted(run_window(r) for r in new_runs)  # type: ignore[type-var]
    assert all(w is not None and w[0] < w[1] for w in windows), windows  # non-empty
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows)), windows  # contiguous, no overlap
    manual_window = run_window(next(r for r in new_runs if r["id"] == aep_run_of[manual]))
    assert manual_window in windows[1:-1]  # between scheduled runs, in the chain
    assert leaked_files(cluster, aep) == {}
    print(f"\n[{INGEST}] {len(dag_runs)} DAG runs ({len(scheduled)} scheduled), AEP windows {windows}")


def test_the_landed_report_runs_on_the_ingest_runs_asset_events(cluster: AirflowCluster):
    """The landed report, scheduled on the dataset's Asset only, ran by itself after the ingest DAG's
    runs (the previous test's) and read exactly the AEP runs they started from the events' extra."""
    ingest_runs = cluster.runs(INGEST)
    assert ingest_runs and all(r["state"] == "success" for r in ingest_runs), ingest_runs
    ingested = {
        cluster.xcom_values(INGEST, r["run_id"])[("ingest_interval", -1, "return_value")] for r in ingest_runs
    }

    def reported() -> set[str] | None:
        runs = cluster.runs(LANDED)
        if not runs or any(r["state"] not in ("success", "failed") for r in runs):
            return None
        seen = {
            run["run_id"]
            for r in runs
            for run in cluster.xcom_values(LANDED, r["run_id"]).get(
                ("report_landed_runs", -1, "return_value")
            )
            or []
        }
        return seen if seen >= ingested else None

    seen = cluster.wait_for(reported, 120, "the landed report of every ingest run", interval=2)
    landed_runs = cluster.runs(LANDED)
    assert {r["run_type"] for r in landed_runs} == {"asset_triggered"}, landed_runs
    assert all(r["state"] == "success" for r in landed_runs), landed_runs
    assert seen == ingested
    # After the task that announced the event, not after its DAG run: the scheduler may start the
    # asset-triggered run before it gets round to closing the ingest run (seen: 8 ms earlier).
    first_announced = cluster.query(
        "SELECT min(end_date) FROM task_instance WHERE dag_id = ? AND task_id = 'ingest_interval'", INGEST
    )[0][0]
    first_landed_start = cluster.query("SELECT min(start_date) FROM dag_run WHERE dag_id = ?", LANDED)[0][0]
    assert first_landed_start >= first_announced
    print(f"\n[{LANDED}] {len(landed_runs)} asset-triggered runs read AEP runs {sorted(seen)}")


def _completed_ms(run: dict[str, Any]) -> int:
    return int(run["metrics"]["durationSummary"]["completedAtUTC"])


def _last_success_ms(aep: EmulatorServer, flow_id: str) -> int:
    done = [r for r in _flow_runs(aep, flow_id) if r["metrics"]["statusSummary"]["status"] == "success"]
    return max(_completed_ms(r) for r in done)


def _health(cluster: AirflowCluster, run_id: str) -> dict[str, str]:
    verdicts = cluster.xcom_values(HEALTH, run_id)[("check_dataflows", -1, "health")]
    return {v["name"]: v["verdict"] for v in verdicts}


def test_the_health_dag_on_its_own_schedule_and_by_hand(cluster: AirflowCluster, aep: EmulatorServer):
    """The health DAG every minute (its env var): a scheduled run judges every flow the earlier tests
    onboarded ok (each `once` flow ran and succeeded, well within the 2 x 24 h the defaults allow);
    a manual run with `stale_after_hours` between the ingest flow's last success and the others'
    judges the ingest flow (run by the ingest DAG minutes ago) ok, every other flow stale, and fails."""
    with aep.state.lock:
        flows = {fid: f["name"] for fid, f in aep.state.sandbox("prod").flows.items()}
    ingest_flow = next(
        fid for fid, name in flows.items() if name == onboarding_names("Airflow", "charges").dataflow
    )
    assert len(flows) > 1
    cluster.set_paused(HEALTH, False)

    def scheduled_done() -> str | None:
        done = [
            r
            for r in cluster.runs(HEALTH)
            if r["run_type"] == "scheduled" and r["state"] in ("success", "failed")
        ]
        return done[0]["run_id"] if done else None

    scheduled = cluster.wait_for(scheduled_done, 150, "a scheduled health run", interval=2)
    assert cluster.run_state(HEALTH, scheduled) == "success"
    assert _health(cluster, scheduled) == {name: "ok" for name in flows.values()}
    xcom = cluster.xcom_values(HEALTH, scheduled)
    assert xcom[("check_dataflows", -1, "return_value")] == xcom[("check_dataflows", -1, "health")]

    # The ingest flow's last success is minutes newer than any other flow's (the ingest test ran
    # after every other onboarding): a staleness allowance halfway between splits them.
    now_ms = int(time.time() * 1000)
    ingest_age = (now_ms - _last_success_ms(aep, ingest_flow)) / 1000
    others_age = min((now_ms - _last_success_ms(aep, fid)) / 1000 for fid in flows if fid != ingest_flow)
    assert others_age - ingest_age > 120, (ingest_age, others_age)
    stale_after_hours = (ingest_age + others_age) / 2 / 3600
    manual = cluster.trigger(
        HEALTH, {"stale_after_hours": stale_after_hours}, f"health-manual-{int(time.time())}"
    )
    assert cluster.wait_for_runs(HEALTH, [manual], RUN_TIMEOUT) == {manual: "failed"}
    expected = {name: ("ok" if fid == ingest_flow else "stale") for fid, name in flows.items()}
    assert _health(cluster, manual) == expected
    assert ("check_dataflows", -1, "return_value") not in cluster.xcom_values(HEALTH, manual)
    verdicts = cluster.xcom_values(HEALTH, manual)[("check_dataflows", -1, "health")]
    ingest_verdict = next(v for v in verdicts if v["flow_id"] == ingest_flow)
    assert ingest_verdict["runs"] == len(_flow_runs(aep, ingest_flow))

    cluster.set_paused(HEALTH, True)
    cluster.wait_for(
        lambda: all(r["state"] in ("success", "failed") for r in cluster.runs(HEALTH)), RUN_TIMEOUT, "quiet"
    )
    assert leaked_files(cluster, aep) == {}
    print(
        f"\n[{HEALTH}] scheduled {scheduled}: {len(flows)} ok; manual (stale after "
        f"{stale_after_hours * 60:.1f} min): 1 ok, {len(flows) - 1} stale"
    )


def test_the_teardown_in_real_airflow(cluster: AirflowCluster, aep: EmulatorServer):
    prefix = "Real down"
    onboarded = cluster.trigger(ONBOARDING, conf_for(ONBOARDING, prefix), f"down-setup-{int(time.time())}")
    assert cluster.wait_for_runs(ONBOARDING, [onboarded], RUN_TIMEOUT) == {onboarded: "success"}
    assert inventory.counts(inventory.with_prefix(inventory.resources(inventory.state_dump(aep.url)), prefix))
    conf = {"name_prefix": prefix, "resource_paths": ["charges"], "delete_data_resources": True}
    run_id = cluster.trigger(TEARDOWN, conf, f"teardown-{int(time.time())}")
    states = cluster.wait_for_runs(TEARDOWN, [run_id], RUN_TIMEOUT)
    tis = cluster.task_instances(TEARDOWN, run_id)
    assert states == {run_id: "success"}, [(t["task_id"], t["state"]) for t in tis]
    left = inventory.with_prefix(inventory.resources(inventory.state_dump(aep.url)), prefix)
    assert left["dataflow"] == [] and left["dataset"] == [], left
    assert leaked_files(cluster, aep) == {}


def _task_files(cluster: AirflowCluster, dag_id: str, run_id: str, task_id: str, pattern: str) -> list[Path]:
    folder = cluster.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
    return sorted(folder.glob(pattern))


def _task_log(cluster: AirflowCluster, dag_id: str, run_id: str, task_id: str, pattern: str) -> str:
    files = _task_files(cluster, dag_id, run_id, task_id, pattern)
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def _task_process(ti_id: str) -> psutil.Process | None:
    """The task runner of a task instance: Airflow titles it `airflow worker -- <ti id>`."""
    title = f"airflow worker -- {ti_id}"
    for proc in psutil.process_iter(["cmdline"]):
        if title in " ".join(proc.info["cmdline"] or []):
            return proc
    return None


def _ti_uuid(raw: str) -> str:
    raw = raw.replace("-", "")
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _kill_when(
    cluster: AirflowCluster,
    aep: EmulatorServer,
    run_id: str,
    task_id: str,
    seen: Any,
    since: int,
    timeout: float = 120,
) -> None:
    """SIGKILL the task's runner process once the emulator has seen `seen(request)` (after `since`)."""

    def target() -> psutil.Process | None:
        with aep.state.lock:
            hit = any(seen(r) for r in aep.state.request_log[since:])
        if not hit:
            return None
        ti = next(t for t in cluster.task_instances(ONBOARDING, run_id) if t["task_id"] == task_id)
        return _task_process(_ti_uuid(ti["id"]))

    proc = cluster.wait_for(target, timeout, f"{task_id} at the kill point", interval=0.1)
    proc.send_signal(signal.SIGKILL)


def _clear(cluster: AirflowCluster, run_id: str, task_ids: list[str]) -> None:
    """What a user does after a crash: clear the failed task (the UI's Clear button)."""
    cluster.api(
        "POST",
        f"/api/v2/dags/{ONBOARDING}/clearTaskInstances",
        {"dry_run": False, "dag_run_id": run_id, "task_ids": task_ids, "only_failed": False},
    )


def test_tasks_killed_after_their_post_and_mid_wait_are_rerun_and_create_nothing_twice(
    cluster: AirflowCluster, aep: EmulatorServer
):
    prefix = "Killed"
    # The schema task's schema lookup hangs, so the kill lands after its field group POST; the
    # sensor's first poll hangs, so it is killed mid-wait.
    aep.add_fault(
        {"kind": "slow", "times": 1, "delay": 20, "methods": ["GET"], "path_regex": r"/tenant/schemas$"}
    )
    aep.add_fault(
        {"kind": "slow", "times": 1, "delay": 20, "methods": ["GET"], "path_regex": r"/flowservice/runs$"}
    )
    since = log_position(aep)
    run_id = cluster.trigger(ONBOARDING, conf_for(ONBOARDING, prefix), f"killed-{int(time.time())}")

    def fieldgroup_posted(r: dict[str, Any]) -> bool:
        return r["method"] == "POST" and r["path"].endswith("/tenant/fieldgroups") and r["status"] == 201

    _kill_when(cluster, aep, run_id, "create_target_schema", fieldgroup_posted, since)
    cluster.wait_for(
        lambda: _state(cluster, run_id, "create_target_schema") == "up_for_retry", 60, "the retry state"
    )
    _clear(cluster, run_id, ["create_target_schema"])

    # The (poking) sensor is killed while it waits for the run, then cleared too.
    def run_polled(r: dict[str, Any]) -> bool:
        return r["method"] == "GET" and r["path"].endswith("/flowservice/runs")

    _kill_when(cluster, aep, run_id, "wait_for_run", run_polled, since)
    cluster.wait_for(lambda: _state(cluster, run_id, "wait_for_run") == "up_for_retry", 60, "the retry")
    _clear(cluster, run_id, ["wait_for_run"])

    assert cluster.wait_for_runs(ONBOARDING, [run_id], RUN_TIMEOUT) == {run_id: "success"}
    made = inventory.with_prefix(inventory.resources(inventory.state_dump(aep.url)), prefix)
    assert inventory.counts(made) == inventory.expected_counts(1)
    tries = {t["task_id"]: t["try_number"] for t in cluster.task_instances(ONBOARDING, run_id)}
    assert tries["create_target_schema"] >= 2 and tries["wait_for_run"] >= 2
    assert leaked_files(cluster, aep) == {}


def _state(cluster: AirflowCluster, run_id: str, task_id: str) -> str | None:
    ti = next(t for t in cluster.task_instances(ONBOARDING, run_id) if t["task_id"] == task_id)
    return ti["state"]
