"""Ingest windows on Airflow's production defaults: a plain cron schedule (empty data intervals on
Airflow 3), runs with no logical date, a first run from `start` or the onboarding's start time."""

from __future__ import annotations

import time
from importlib.metadata import version
from pathlib import Path
from types import SimpleNamespace

import pendulum
import pytest
from aep_testing import load_dag, run_dag

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator

AIRFLOW_2 = version("apache-airflow").startswith("2.")
USER_DAGS = Path(__file__).parent / "user_dags"
D1 = pendulum.datetime(2026, 4, 2, tz="UTC")
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("airflow_db")]


def onboard(prefix: str, resource_path: str) -> str:
    dagrun, xcom = run_dag(
        "stripe_to_aep_onboarding",
        {"name_prefix": prefix, "resource_path": resource_path, "poll_interval": 0.2},
    )
    assert str(dagrun.state).endswith("success")
    return str(xcom[("create_dataflow", "return_value")])


def windows(flow_id: str) -> list[tuple[int, int]]:
    return sorted(AdobeExperiencePlatformHook().run_windows(flow_id))


def build(dag_id: str):
    return load_dag(dag_id, USER_DAGS / f"{dag_id}.py")


def test_a_plain_cron_schedule_ingests_contiguous_windows_and_a_re_run_starts_nothing(
    connections, monkeypatch
):
    if AIRFLOW_2:
        import airflow.providers.fab.auth_manager.models  # noqa: F401  (dag.test() re-runs a date)
    flow_id = onboard("Cron", "customers")
    # dag.test() on Airflow 3 looks the DAG up in the DAGs folder: point it at the user's one.
    monkeypatch.setattr("airflow.settings.DAGS_FOLDER", str(USER_DAGS))
    dag = build("user_dag_ingest_on_cron")
    key = "execution_date" if AIRFLOW_2 else "logical_date"
    start = D1.subtract(hours=6)

    first = dag.test(run_conf={"start": start.isoformat()}, **{key: D1})
    assert str(first.state).endswith("success")
    if not AIRFLOW_2:  # Airflow 3's default for a cron string: no data interval to ingest
        assert first.data_interval_start == first.data_interval_end
        assert windows(flow_id) == [(int(start.timestamp()), int(D1.timestamp()))]
    second = dag.test(**{key: D1.add(days=1)})
    assert str(second.state).endswith("success")
    got = windows(flow_id)
    assert len(got) == 2 and got[0][1] == got[1][0] == int(D1.timestamp())
    assert got[1][1] == int(D1.add(days=1).timestamp())

    again = dag.test(**{key: D1.add(days=1)})  # the same DAG run again: its AEP run is reused
    assert str(again.state).endswith("success")
    assert windows(flow_id) == got


def test_a_run_without_logical_date_ingests_up_to_its_run_after(connections):
    flow_id = onboard("NoDate", "prices")
    flow = AdobeExperiencePlatformHook().get_dataflow(flow_id)
    onboarded = int(str(flow["scheduleParams"]["startTime"]))
    run_after = pendulum.from_timestamp(time.time() + 120)
    context = {"logical_date": None, "dag_run": SimpleNamespace(run_after=run_after)}
    AEPTriggerDataflowRunOperator(task_id="ingest", flow_id=flow_id, poll_interval=0.2).execute(context)
    # A first window starts at the onboarding's start time
    assert windows(flow_id) == [(onboarded, int(run_after.timestamp()))]
    later = {"logical_date": None, "dag_run": SimpleNamespace(run_after=run_after.add(minutes=5))}
    AEPTriggerDataflowRunOperator(task_id="ingest", flow_id=flow_id, poll_interval=0.2).execute(later)
    got = windows(flow_id)
    assert got[1] == (int(run_after.timestamp()), int(run_after.add(minutes=5).timestamp()))
