"""Downstream work on "new Stripe data landed in AEP", for every run of the onboarded dataflow that
ends, including the runs AEP schedules itself (Airflow 3).

An `AssetWatcher` with `AEPDataflowRunEventTrigger` polls the dataflow's runs from the triggerer and
announces each run that ended (by default `success` and `partialSuccess`) as an event of the dataflow's
runs Asset, carrying the run (ID, status, record counts, window). This DAG is scheduled on that Asset.
It is not the dataset's Asset that `stripe_to_aep_ingest` announces: the watcher already announces the
ingest DAG's runs too, so a DAG scheduled on both would hear those runs twice (docs/asset-events.md).

Airflow batches the events that arrive between two scheduler loops into one DAG run: `landed_runs`
handles every run its triggering events carry, so each AEP run is handled exactly once.

Settings from the environment: `STRIPE_AEP_NAME_PREFIX`, `STRIPE_AEP_RESOURCE_PATH` (which dataflow,
as for the ingest DAG), `STRIPE_AEP_SANDBOX` (the sandbox of the `aep_default` connection, in the
Asset's URI), `STRIPE_AEP_WATCH_STATUSES`
(comma-separated among success, partialSuccess, failed) and `STRIPE_AEP_WATCH_POLL_INTERVAL` (seconds).
On Airflow 2 this file defines no DAG.
"""

from __future__ import annotations

import os

import pendulum

from airflow_provider_stripe_aep.links import dataflow_runs_asset
from airflow_provider_stripe_aep.resources.naming import onboarding_names
from airflow_provider_stripe_aep.version_compat import AIRFLOW_V_3_0_PLUS

NAME_PREFIX = os.environ.get("STRIPE_AEP_NAME_PREFIX", "Airflow")
RESOURCE_PATH = os.environ.get("STRIPE_AEP_RESOURCE_PATH", "charges")
SANDBOX = os.environ.get("STRIPE_AEP_SANDBOX", "prod")
STATUSES = [s for s in os.environ.get("STRIPE_AEP_WATCH_STATUSES", "success,partialSuccess").split(",") if s]
POLL_INTERVAL = float(os.environ.get("STRIPE_AEP_WATCH_POLL_INTERVAL", "60"))

if AIRFLOW_V_3_0_PLUS:
    from typing import Any

    from airflow.sdk import DAG, AssetWatcher, task

    from airflow_provider_stripe_aep.resources.run_status import triggering_runs
    from airflow_provider_stripe_aep.triggers.dataflow_run_events import AEPDataflowRunEventTrigger

    FLOW_NAME = onboarding_names(NAME_PREFIX, RESOURCE_PATH).dataflow
    aep_runs = dataflow_runs_asset(
        SANDBOX,
        FLOW_NAME,
        watchers=[
            AssetWatcher(
                name="aep_dataflow_runs",
                trigger=AEPDataflowRunEventTrigger(
                    flow_name=FLOW_NAME, statuses=STATUSES, poll_interval=POLL_INTERVAL
                ),
            )
        ],
    )

    with DAG(
        dag_id="on_stripe_data_landed",
        description="Runs once per AEP run of the onboarded Stripe dataflow that ended (AssetWatcher)",
        schedule=[aep_runs],
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        tags=["stripe", "adobe-experience-platform", "example"],
    ) as dag:

        @task
        def landed_runs(**context: Any) -> list[dict[str, Any]]:
            """The AEP runs this DAG run was triggered by: replace with the work to do on new data."""
            runs = triggering_runs(context)
            for run in runs:
                print(
                    f"AEP run {run['run_id']} of flow {run['flow_id']} ended {run['status']}: {run['counts']}"
                )
            return runs

        landed_runs()
