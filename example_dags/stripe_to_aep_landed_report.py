"""Runs when new Stripe data has landed in an AEP dataset, and reads which AEP run brought it.

Scheduled on the target dataset's Asset (Dataset on Airflow 2), the one the ingest DAG
(`stripe_to_aep_ingest`) announces after each successful on-demand run. Each event's `extra` holds the
AEP run (built by `resources.run_status.run_event_extra`):

    {"run_id": "...", "flow_id": "...", "status": "success", "succeeded": true,
     "counts": {"inputRecordCount": 5, "outputRecordCount": 5, "failedRecordCount": 0, ...},
     "window_start_ms": 1773100800000, "window_end_ms": 1773187200000,
     "started_at_ms": ..., "completed_at_ms": ..., "duration_seconds": 7.0, "errors": []}

The task reads them from `triggering_asset_events` (`triggering_dataset_events` on Airflow 2), logs
one line per run and returns the runs as XCom: the place to start a report, a dbt job or an alert on
failed records. The dataset comes from `STRIPE_AEP_NAME_PREFIX` and `STRIPE_AEP_RESOURCE_PATH`, as in
the ingest DAG, and `STRIPE_AEP_SANDBOX`, which must name the sandbox of the `aep_default` connection
(the ingest DAG announces the dataset in its connection's sandbox). See docs/lineage.md.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import pendulum
from airflow.providers.common.compat.sdk import DAG, task

from airflow_provider_stripe_aep.links import dataset_asset
from airflow_provider_stripe_aep.resources.naming import onboarding_names
from airflow_provider_stripe_aep.resources.run_status import triggering_runs

NAME_PREFIX = os.environ.get("STRIPE_AEP_NAME_PREFIX", "Airflow")
RESOURCE_PATH = os.environ.get("STRIPE_AEP_RESOURCE_PATH", "charges")
SANDBOX = os.environ.get("STRIPE_AEP_SANDBOX", "prod")
LANDED = dataset_asset(SANDBOX, onboarding_names(NAME_PREFIX, RESOURCE_PATH).dataset)

log = logging.getLogger(__name__)

with DAG(
    dag_id="stripe_to_aep_landed_report",
    description="Read which AEP run landed new Stripe data (the ingest DAG's Asset event extra)",
    schedule=[LANDED],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["stripe", "adobe-experience-platform", "example"],
):

    @task
    def report_landed_runs(**context: Any) -> list[dict[str, Any]]:
        runs = triggering_runs(context)
        for run in runs:
            counts = run.get("counts") or {}
            log.info(
                "AEP run %s (%s) loaded %s of %s records, window %s - %s (epoch ms)",
                run["run_id"],
                run.get("status"),
                counts.get("outputRecordCount"),
                counts.get("inputRecordCount"),
                run.get("window_start_ms"),
                run.get("window_end_ms"),
            )
        return runs

    report_landed_runs()
