"""Onboard one Stripe resource path into Adobe Experience Platform, as Adobe's Stripe API tutorial
does by hand: validate params -> base connection -> explore -> source connection; schema -> dataset
-> target connection; mapping set -> dataflow -> wait for the run.

Every step is idempotent, so the DAG can be re-run or scheduled: a second run reuses every resource
and only waits for the dataflow's latest run. Trigger it by hand with params, or set the
`STRIPE_AEP_ONBOARDING_SCHEDULE` environment variable (a cron expression or preset such as
`@daily`) to run it on a schedule. The steps come from the building block
`stripe_to_aep_onboarding_group`, which you can drop into your own DAGs.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.providers.common.compat.sdk import DAG

from airflow_provider_stripe_aep.task_groups import stripe_to_aep_onboarding_group
from airflow_provider_stripe_aep.task_groups.params import (
    resource_path_param,
    schedule_and_wait_params,
    template,
)

with DAG(
    dag_id="stripe_to_aep_onboarding",
    description="Onboard one Stripe resource path into Adobe Experience Platform (Flow Service API)",
    schedule=os.environ.get("STRIPE_AEP_ONBOARDING_SCHEDULE") or None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # Creates are idempotent, so a retried task reuses what its first try made; errors a retry
    # cannot cure (bad input, auth, validation, conflict) fail at once.
    default_args={"retries": 2, "retry_delay": timedelta(seconds=15)},
    render_template_as_native_obj=True,
    tags=["stripe", "adobe-experience-platform", "example"],
    params={"resource_path": resource_path_param(), **schedule_and_wait_params()},
) as dag:
    stripe_to_aep_onboarding_group(
        template("resource_path"),
        group_id="onboarding",
        prefix_group_id=False,  # task IDs stay create_dataflow, wait_for_run...
        name_prefix=template("name_prefix"),
        frequency=template("frequency"),
        interval=template("interval"),
        start_time=template("start_time"),
        class_id=template("class_id"),
        poll_interval=template("poll_interval"),
        deferrable=template("deferrable"),
    )
