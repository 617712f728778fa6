"""The health of every dataflow an onboarding made, every hour: for each flow its state, how long ago
its last successful run ended (against its schedule, or the ingest DAG's interval for flows scheduled
`once`), its failed records and top error codes over the window, and a verdict: ok, stale, failing or
disabled. The table goes to the task log, the verdicts to XCom `health`; the task fails when a flow
is not ok. See docs/diagnostics-and-health.md.

Set `AEP_DATAFLOW_HEALTH_SCHEDULE` (a cron expression or preset) to change the hourly schedule. The
`expected_interval_hours` default follows `STRIPE_AEP_INGEST_SCHEDULE` when it is a preset
(`@hourly`, `@daily`, `@weekly`), else 24 h (the ingest DAG's default, `@daily`).
"""

from __future__ import annotations

import os

import pendulum
from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_stripe_aep.operators.health import AEPDataflowHealthOperator
from airflow_provider_stripe_aep.resources.flow_health import preset_interval_seconds
from airflow_provider_stripe_aep.task_groups.params import max_failed_ratio_param, template

INGEST_INTERVAL_HOURS = (
    preset_interval_seconds(os.environ.get("STRIPE_AEP_INGEST_SCHEDULE")) or 86400
) / 3600

with DAG(
    dag_id="aep_dataflow_health",
    description="Verdict per onboarded AEP dataflow: ok / stale / failing / disabled",
    schedule=os.environ.get("AEP_DATAFLOW_HEALTH_SCHEDULE") or "@hourly",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    render_template_as_native_obj=True,
    tags=["adobe-experience-platform", "monitoring", "example"],
    params={
        "name_prefix": Param(
            None,
            type=["null", "string"],
            minLength=1,
            description="Judge the flows an onboarding with this name prefix made; null: every source flow",
        ),
        "window_hours": Param(24, type="number", exclusiveMinimum=0, description="Runs of the last N hours"),
        "max_failed_ratio": max_failed_ratio_param(),
        "expected_interval_hours": Param(
            INGEST_INTERVAL_HOURS,
            type=["null", "number"],
            exclusiveMinimum=0,
            description="How often the ingest DAG runs flows scheduled once (their expected interval)",
        ),
        "stale_after_hours": Param(
            None,
            type=["null", "number"],
            exclusiveMinimum=0,
            description="Stale after this long without a successful run; null: twice the interval",
        ),
    },
) as dag:
    AEPDataflowHealthOperator(
        task_id="check_dataflows",
        name_prefix=template("name_prefix"),
        window=template("window_hours"),
        max_failed_ratio=template("max_failed_ratio"),
        expected_interval=template("expected_interval_hours"),
        stale_after=template("stale_after_hours"),
    )
