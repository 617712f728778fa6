"""Onboard one Stripe resource path into Adobe Experience Platform, as Adobe's Stripe API tutorial
does by hand: validate params -> base connection -> explore -> source connection; schema -> dataset
-> target connection; mapping set -> dataflow -> wait for the run.

Every step is idempotent, so the DAG can be re-run or scheduled: a second run reuses every resource
and waits for the dataflow run of its own DAG run (see `AEPDataflowRunSensor`). Trigger it by hand
with params, or set the `STRIPE_AEP_ONBOARDING_SCHEDULE` environment variable (a cron expression or
preset such as `@daily`) to run it on a schedule. With `plan_only` the run only shows what it would
create or change (task `plan`, see docs/changing-an-onboarding.md); `on_schema_change` says what a run
does when Stripe adds fields (`fail`, `ignore`, `extend`). The steps come from the building block
`stripe_to_aep_onboarding_group`, which you can drop into your own DAGs.
"""

from __future__ import annotations

import os

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_stripe_aep.task_groups import stripe_to_aep_onboarding_group
from airflow_provider_stripe_aep.task_groups.params import (
    change_params,
    change_templates,
    max_failed_ratio_param,
    onboarding_dag_settings,
    resource_path_param,
    schedule_and_wait_params,
    schedule_and_wait_templates,
    template,
)

with DAG(
    dag_id="stripe_to_aep_onboarding",
    description="Onboard one Stripe resource path into Adobe Experience Platform (Flow Service API)",
    schedule=os.environ.get("STRIPE_AEP_ONBOARDING_SCHEDULE") or None,
    # Start 2026-01-01, no catchup, one run at a time, 2 retries 15 s apart (creates are idempotent).
    **onboarding_dag_settings(),
    tags=["stripe", "adobe-experience-platform", "example"],
    params={
        "resource_path": resource_path_param(),
        **schedule_and_wait_params(),
        **change_params(),
        "max_failed_ratio": max_failed_ratio_param(),
    },
) as dag:
    stripe_to_aep_onboarding_group(
        template("resource_path"),
        group_id="onboarding",
        prefix_group_id=False,  # task IDs stay create_dataflow, wait_for_run...
        name_prefix=template("name_prefix"),
        **schedule_and_wait_templates(),  # frequency, interval, start_time... from the params
        max_failed_ratio=template("max_failed_ratio"),
        **change_templates(),  # plan_only, on_conflict, on_schema_change
    )
