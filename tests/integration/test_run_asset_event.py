"""The ingest DAG's Asset (Dataset) event carries the AEP run in its extra, and the example
downstream DAG reads it back from the triggering events."""

from __future__ import annotations

from importlib.metadata import version

import pendulum
import pytest
from aep_testing import load_dag, return_values, run_dag

from airflow_provider_stripe_aep.links import dataset_asset_uri
from airflow_provider_stripe_aep.resources.naming import onboarding_names
from airflow_provider_stripe_aep.resources.run_status import runs_in_events

AIRFLOW_2 = version("apache-airflow").startswith("2.")
LOGICAL_DATE = pendulum.datetime(2026, 4, 2, tz="UTC")


def asset_events(uri: str) -> list:
    from airflow.utils.session import create_session

    with create_session() as session:
        if AIRFLOW_2:
            from airflow.models.dataset import DatasetEvent, DatasetModel

            model, event = DatasetModel, DatasetEvent
            on = DatasetEvent.dataset_id == DatasetModel.id
        else:
            from airflow.models.asset import AssetEvent, AssetModel

            model, event = AssetModel, AssetEvent  # type: ignore[assignment]
            on = AssetEvent.asset_id == AssetModel.id
        rows = session.query(event).join(model, on).filter(model.uri == uri).order_by(event.id).all()
        session.expunge_all()
        return rows


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_the_ingest_event_carries_the_run_and_the_report_dag_reads_it(connections):
    # The example DAGs' default prefix and path: the ingest DAG's outlet and the report's schedule
    conf = {"name_prefix": "Airflow", "resource_path": "charges", "poll_interval": 0.2}
    landed = dataset_asset_uri("prod", onboarding_names("Airflow", "charges").dataset)
    onboarded, _ = run_dag("stripe_to_aep_onboarding", conf)
    assert str(onboarded.state).endswith("success")
    ingest = load_dag("stripe_to_aep_ingest")
    before = len(asset_events(landed))
    if AIRFLOW_2:
        import airflow.providers.fab.auth_manager.models  # noqa: F401  (dag.test() deletes older runs)
    date_arg = {"execution_date": LOGICAL_DATE} if AIRFLOW_2 else {"logical_date": LOGICAL_DATE}
    dagrun = ingest.test(run_conf=conf, **date_arg)
    assert str(dagrun.state).endswith("success")
    run = return_values("stripe_to_aep_ingest", dagrun.run_id)[("ingest_interval", "run")]

    events = asset_events(landed)
    assert len(events) == before + 1
    # Read as a downstream DAG reads it (Airflow 2.11 carries an alias event's nested values as JSON).
    (extra,) = runs_in_events([events[-1].extra])
    assert extra["run_id"] == run["run_id"] and extra["flow_id"] == run["flow_id"]
    assert extra["status"] == "success" and extra["succeeded"] is True
    assert extra["counts"] == run["counts"] and extra["counts"]["outputRecordCount"] > 0
    assert extra["window_start_ms"] == int(dagrun.data_interval_start.timestamp()) * 1000
    assert extra["window_end_ms"] == int(dagrun.data_interval_end.timestamp()) * 1000
    assert extra["started_at_ms"] and extra["completed_at_ms"] >= extra["started_at_ms"]

    report = load_dag("stripe_to_aep_landed_report")
    condition = getattr(report.timetable, "asset_condition", None) or report.timetable.dataset_condition
    assert [a.uri for a in getattr(condition, "objects", [condition])] == [landed]
    key = "triggering_dataset_events" if AIRFLOW_2 else "triggering_asset_events"
    runs = report.get_task("report_landed_runs").python_callable(**{key: {landed: events[-1:]}})
    assert runs == [extra]
