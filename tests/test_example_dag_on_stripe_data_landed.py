"""`on_stripe_data_landed` is scheduled on the dataflow's runs Asset, fed by the AssetWatcher's trigger
(Airflow 3); on Airflow 2 the file parses and defines no DAG."""

from __future__ import annotations

from importlib.metadata import version

from aep_testing import EXAMPLE_DAGS, dag_bag

from airflow_provider_stripe_aep.links import dataflow_runs_asset_uri, dataset_asset_uri
from airflow_provider_stripe_aep.resources.naming import onboarding_names

AIRFLOW_2 = version("apache-airflow").startswith("2.")


def _bag():
    return dag_bag(EXAMPLE_DAGS / "on_stripe_data_landed.py")


def test_the_dag_watches_the_runs_asset_not_the_dataset_one():
    bag = _bag()
    if AIRFLOW_2:
        assert "on_stripe_data_landed" not in bag.dags
        return
    from airflow_provider_stripe_aep.triggers.dataflow_run_events import AEPDataflowRunEventTrigger

    dag = bag.dags["on_stripe_data_landed"]
    names = onboarding_names("Airflow", "charges")
    (asset,) = dag.timetable.asset_condition.objects  # schedule=[asset]: all of one Asset
    assert asset.uri == dataflow_runs_asset_uri("prod", names.dataflow)
    assert asset.uri != dataset_asset_uri("prod", names.dataset)
    (watcher,) = asset.watchers
    trigger = watcher.trigger
    assert isinstance(trigger, AEPDataflowRunEventTrigger)
    assert (trigger.flow_name, trigger.statuses) == (names.dataflow, ["success", "partialSuccess"])
