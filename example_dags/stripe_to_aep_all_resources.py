"""Onboard several Stripe resource paths (all six by default) in one run, in parallel.

One `validate_params` task checks every param first; one base connection is shared by all paths;
then one onboarding group per path (`onboard_charges`, `onboard_refunds`...) explores its path and
creates its own field group, schema, dataset, connections, mapping set and dataflow, and waits for
its run. Paths not listed in the `resource_paths` param are skipped (their group shows as skipped).
With `plan_only`, each selected path's `plan` task shows what a run would do and nothing is applied
(docs/changing-an-onboarding.md).
"""

from __future__ import annotations

import os

from airflow.providers.common.compat.sdk import DAG

from airflow_provider_stripe_aep.operators.checks import AEPValidateOnboardingOperator
from airflow_provider_stripe_aep.operators.connections import AEPCreateStripeBaseConnectionOperator
from airflow_provider_stripe_aep.operators.plan import AEPApplyOperator
from airflow_provider_stripe_aep.resources.naming import base_connection_name
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS
from airflow_provider_stripe_aep.task_groups import stripe_to_aep_onboarding_group
from airflow_provider_stripe_aep.task_groups.params import (
    change_params,
    change_templates,
    max_failed_ratio_param,
    onboarding_dag_settings,
    resource_paths_param,
    schedule_and_wait_params,
    schedule_and_wait_templates,
    template,
)

SCHEDULE = schedule_and_wait_templates()  # frequency, interval, start_time... from the params
CHANGES = change_templates()  # plan_only, on_conflict, on_schema_change

with DAG(
    dag_id="stripe_to_aep_all_resources",
    description="Onboard all six Stripe resource paths into Adobe Experience Platform, in parallel",
    schedule=os.environ.get("STRIPE_AEP_ALL_RESOURCES_SCHEDULE") or None,
    # Start 2026-01-01, no catchup, one run at a time, 2 retries 15 s apart (creates are idempotent).
    **onboarding_dag_settings(),
    tags=["stripe", "adobe-experience-platform", "example"],
    params={
        "resource_paths": resource_paths_param(),
        **schedule_and_wait_params(),
        **change_params(),
        "max_failed_ratio": max_failed_ratio_param(),
    },
) as dag:
    validate_params = AEPValidateOnboardingOperator(
        task_id="validate_params",
        targets=template("resource_paths"),
        resource_field="resource_paths",
        name_prefix=template("name_prefix"),
        **SCHEDULE,
        **CHANGES,
    )
    base_connection = AEPCreateStripeBaseConnectionOperator(
        task_id="create_base_connection",
        name=base_connection_name(template("name_prefix")),
        description="Authenticated base connection for Stripe",
        on_conflict=CHANGES["on_conflict"],
    )
    # With plan_only, each group's `plan` task plans its path and nothing is applied, shared base included.
    validate_params >> AEPApplyOperator(task_id="apply", plan_only=CHANGES["plan_only"]) >> base_connection
    for resource_path in RESOURCE_PATHS:
        group = stripe_to_aep_onboarding_group(
            resource_path,
            name_prefix=template("name_prefix"),
            base_connection_id=base_connection.output,
            selected_resource_paths=template("resource_paths"),
            **SCHEDULE,
            max_failed_ratio=template("max_failed_ratio"),
            **CHANGES,
        )
        validate_params >> group
