"""The ingest DAG through dag.test(): one on-demand AEP run per data interval, waited for in the
triggerer, never started twice for the same interval; a failed run fails the task with AEP's code."""

from __future__ import annotations

import asyncio
from importlib.metadata import version

import pendulum
import pytest
import requests
from aep_testing import load_dag, return_values, run_dag
from airflow.providers.common.compat.sdk import AirflowFailException, TaskDeferred

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.links import LINK_XCOM_KEY, dataset_asset_uri
from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator
from airflow_provider_stripe_aep.resources.naming import onboarding_names
from airflow_provider_stripe_aep.resources.run_status import run_window
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger

AIRFLOW_2 = version("apache-airflow").startswith("2.")
PREFIX = "Ingest"
LOGICAL_DATE = pendulum.datetime(2026, 3, 10, tz="UTC")


def onboard_once(resource_path: str = "charges") -> str:
    dagrun, xcom = run_dag(
        "stripe_to_aep_onboarding",
        {"name_prefix": PREFIX, "resource_path": resource_path, "poll_interval": 0.2},
    )
    assert str(dagrun.state).endswith("success")
    return str(xcom[("create_dataflow", "return_value")])


def test_ingest(conf: dict, logical_date=LOGICAL_DATE):
    dag = load_dag("stripe_to_aep_ingest")
    if AIRFLOW_2:
        # Airflow 2's dag.test() deletes an earlier run of the same date; the ORM then needs the
        # FAB user table (dag_run_note.user_id) registered.
        import airflow.providers.fab.auth_manager.models  # noqa: F401
    date_arg = {"execution_date": logical_date} if AIRFLOW_2 else {"logical_date": logical_date}
    dagrun = dag.test(run_conf=conf, **date_arg)
    return dagrun, return_values("stripe_to_aep_ingest", dagrun.run_id)


test_ingest.__test__ = False  # a helper, not a test


def runs_of(aep, flow_id: str) -> list[dict]:
    return [r for r in aep.state.sandbox("prod").runs.values() if r["flowId"] == flow_id]


def rendered_runs(aep, flow_id: str) -> list[dict]:
    """The flow's runs as `GET /runs` shows them (the documented shape, with the activity window)."""
    hook = AdobeExperiencePlatformHook()
    return list(hook.client.flows.iter_runs(flow_id))


def asset_event_uris(dag_id: str, run_id: str) -> list[str]:
    """The URIs of the Asset (Dataset) events a DAG run emitted, from Airflow's database."""
    from airflow.utils.session import create_session

    if AIRFLOW_2:
        from airflow.models.dataset import DatasetEvent as Event
        from airflow.models.dataset import DatasetModel as Model

        key = Event.dataset_id
    else:
        from airflow.models.asset import AssetEvent as Event
        from airflow.models.asset import AssetModel as Model

        key = Event.asset_id
    with create_session() as session:
        rows = (
            session.query(Model.uri)
            .join(Event, key == Model.id)
            .filter(Event.source_dag_id == dag_id, Event.source_run_id == run_id)
            .all()
        )
    return sorted(row[0] for row in rows)


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_each_interval_gets_one_run_waited_for_in_the_triggerer(connections, mocker):
    aep = connections
    flow_id = onboard_once()
    scheduled_runs = len(runs_of(aep, flow_id))
    trigger_ran = mocker.spy(AEPDataflowRunTrigger, "run")
    conf = {"name_prefix": PREFIX, "resource_path": "charges", "poll_interval": 0.2, "deferrable": True}

    aep.state.request_log.clear()
    dagrun, xcom = test_ingest(conf)

    assert str(dagrun.state).endswith("success")
    assert trigger_ran.call_count == 1
    # Before its POST the task read the flow once and listed its runs once (window and reuse check).
    log = aep.state.request_log
    post = next(i for i, r in enumerate(log) if r["method"] == "POST" and r["path"].endswith("/runs"))
    before_post = [r for r in log[:post] if r["method"] == "GET"]
    assert sum(r["path"].endswith(f"/flows/{flow_id}") for r in before_post) == 1
    assert sum(r["path"].endswith("/flowservice/runs") for r in before_post) == 1
    on_demand = [r for r in rendered_runs(aep, flow_id) if run_window(r)]
    assert len(on_demand) == 1 and len(runs_of(aep, flow_id)) == scheduled_runs + 1
    # The example DAG's timetable has real intervals, on Airflow's production defaults too.
    assert dagrun.data_interval_start < dagrun.data_interval_end
    assert run_window(on_demand[0]) == (
        int(dagrun.data_interval_start.timestamp()) * 1000,
        int(dagrun.data_interval_end.timestamp()) * 1000,
    )
    assert xcom[("ingest_interval", "return_value")] == on_demand[0]["id"]
    result = xcom[("ingest_interval", "run")]
    assert result["status"] == "success" and result["counts"]["inputRecordCount"] > 0
    assert result["duration_seconds"] is not None
    link = xcom[("ingest_interval", LINK_XCOM_KEY)]
    assert link == {
        "org_id": "ITORG@AdobeOrg",
        "sandbox": "prod",
        "flow_id": flow_id,
        "run_id": on_demand[0]["id"],
    }

    again, again_xcom = test_ingest(conf)
    assert str(again.state).endswith("success")
    assert len(runs_of(aep, flow_id)) == scheduled_runs + 1  # no second AEP run for the same interval
    assert again_xcom[("ingest_interval", "return_value")] == on_demand[0]["id"]

    _, next_xcom = test_ingest(conf, LOGICAL_DATE.add(days=1))
    assert len(runs_of(aep, flow_id)) == scheduled_runs + 2  # the next interval gets its own run
    assert next_xcom[("ingest_interval", "return_value")] != on_demand[0]["id"]
    windows = sorted(filter(None, map(run_window, rendered_runs(aep, flow_id))))
    assert len(windows) == 2 and windows[0][1] == windows[1][0]  # contiguous, not repeated


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_the_outlet_announces_the_dataset_the_run_wrote_to(connections):
    onboard_once("refunds")
    conf = {"name_prefix": PREFIX, "resource_path": "refunds", "poll_interval": 0.2}
    dagrun, _ = test_ingest(conf, LOGICAL_DATE.add(days=5))
    assert str(dagrun.state).endswith("success")
    refunds = dataset_asset_uri("prod", onboarding_names(PREFIX, "refunds").dataset)
    assert asset_event_uris("stripe_to_aep_ingest", dagrun.run_id) == [refunds]


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_a_failed_run_fails_the_task_with_aep_error_code(connections):
    aep = connections
    flow_id = onboard_once("refunds")
    assert requests.post(f"{aep.url}/_emulator/flows/{flow_id}/fail-runs", timeout=5).ok
    context = {"data_interval_start": LOGICAL_DATE, "data_interval_end": LOGICAL_DATE.add(days=1)}
    operator = AEPTriggerDataflowRunOperator(task_id="ingest", flow_id=flow_id, poll_interval=0.2)
    with pytest.raises(AirflowFailException) as info:
        operator.execute(context)
    assert "CONNECTOR-2001-500" in str(info.value) and "failedRecordCount=" in str(info.value)

    deferred_op = AEPTriggerDataflowRunOperator(
        task_id="ingest_deferred", flow_id=flow_id, poll_interval=0.2, deferrable=True
    )
    with pytest.raises(AirflowFailException, match="CONNECTOR-2001-500"):
        deferred_op.execute(context)  # same window: the existing (failed) run, no new one
    assert deferred_op.run_id == operator.run_id
    next_window = {
        "data_interval_start": LOGICAL_DATE.add(days=1),
        "data_interval_end": LOGICAL_DATE.add(days=2),
    }
    with pytest.raises(TaskDeferred) as deferred:
        deferred_op.execute(next_window)
    assert deferred_op.run_id != operator.run_id
    event = asyncio.run(_first_event(deferred.value.trigger))
    assert event["status"] == "failed"
    with pytest.raises(AirflowFailException, match="CONNECTOR-2001-500"):
        deferred_op.execute_complete({}, event)


async def _first_event(trigger):
    _path, kwargs = trigger.serialize()
    async for event in type(trigger)(**kwargs).run():
        return event.payload


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_a_sensor_asked_for_a_newer_run_does_not_pass_on_an_old_one(connections):
    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    aep = connections
    flow_id = onboard_once("prices")
    old = runs_of(aep, flow_id)
    assert old and all(r["createdAt"] < pendulum.now("UTC").timestamp() * 1000 for r in old)
    after = pendulum.now("UTC")
    sensor = AEPDataflowRunSensor(
        task_id="wait", flow_id=flow_id, started_after=after.isoformat(), poll_interval=0.2, timeout=1.5
    )
    with pytest.raises(AirflowSensorTimeout):
        sensor.execute({})

    window = {"data_interval_start": LOGICAL_DATE, "data_interval_end": LOGICAL_DATE.add(hours=1)}
    new_run = AEPTriggerDataflowRunOperator(
        task_id="ingest", flow_id=flow_id, wait_for_completion=False
    ).execute(window)
    sensor = AEPDataflowRunSensor(
        task_id="wait2", flow_id=flow_id, started_after=after.isoformat(), poll_interval=0.2, timeout=30
    )
    result = sensor.execute({})
    assert result["run_id"] == new_run and new_run not in {r["id"] for r in old}
    assert result["status"] == "success"


def test_a_flow_not_scheduled_once_is_refused_before_the_post(connections):
    from aep_testing import onboard

    from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
    from airflow_provider_stripe_aep.validation import validate_schedule

    aep = connections
    flow_id = onboard(AdobeExperiencePlatformHook(), validate_schedule("hour", 1))
    context = {"data_interval_start": LOGICAL_DATE, "data_interval_end": LOGICAL_DATE.add(days=1)}
    operator = AEPTriggerDataflowRunOperator(task_id="ingest", flow_id=flow_id)
    with pytest.raises(AirflowFailException, match=r"scheduled 'hour'.*'once'"):
        operator.execute(context)
    assert not [r for r in aep.state.request_log if r["method"] == "POST" and r["path"].endswith("/runs")]
