"""A user's ingest DAG on a plain cron string: on Airflow 3's defaults a CronTriggerTimetable, whose runs
have an empty data interval, so each run ingests from the flow's last window up to its logical date."""

from __future__ import annotations

import pendulum
from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator
from airflow_provider_stripe_aep.resources.naming import onboarding_names

with DAG(
    dag_id="user_dag_ingest_on_cron",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    render_template_as_native_obj=True,
    params={"start": Param(None, type=["null", "string"])},
) as dag:
    AEPTriggerDataflowRunOperator(
        task_id="ingest",
        flow_name=onboarding_names("Cron", "customers").dataflow,
        first_window_start="{{ params.start }}",
        poll_interval=0.2,
    )
