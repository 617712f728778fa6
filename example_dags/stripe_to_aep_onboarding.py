"""Onboard one Stripe resource path into Adobe Experience Platform, as Adobe's Stripe API tutorial
does by hand: base connection -> explore -> source connection; schema -> dataset -> target
connection; mapping set -> dataflow -> wait for the run.

Every step is idempotent, so the DAG can be re-run or scheduled: a second run reuses every resource
and only waits for the dataflow's latest run. Trigger it by hand with params, or set the
`STRIPE_AEP_ONBOARDING_SCHEDULE` environment variable (a cron expression or preset such as
`@daily`) to run it on a schedule.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_stripe_aep.operators.connections import (
    AEPCreateStripeBaseConnectionOperator,
    AEPCreateStripeSourceConnectionOperator,
    AEPCreateTargetConnectionOperator,
    AEPExploreStripeResourceOperator,
)
from airflow_provider_stripe_aep.operators.dataflow import AEPCreateDataflowOperator
from airflow_provider_stripe_aep.operators.mapping import AEPCreateMappingSetOperator
from airflow_provider_stripe_aep.operators.schema import (
    AEPCreateDatasetOperator,
    AEPCreateTargetSchemaOperator,
)
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
from airflow_provider_stripe_aep.stripe import FREQUENCIES, RESOURCE_PATHS

PREFIX = "{{ params.name_prefix }} Stripe {{ params.resource_path }}"

with DAG(
    dag_id="stripe_to_aep_onboarding",
    description="Onboard one Stripe resource path into Adobe Experience Platform (Flow Service API)",
    schedule=os.environ.get("STRIPE_AEP_ONBOARDING_SCHEDULE") or None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # Creates are idempotent, so a retried task reuses what its first try made.
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    render_template_as_native_obj=True,
    tags=["stripe", "adobe-experience-platform", "example"],
    params={
        "resource_path": Param("charges", enum=list(RESOURCE_PATHS), description="Stripe resource path"),
        "frequency": Param("once", enum=list(FREQUENCIES), description="Dataflow schedule frequency"),
        "interval": Param(
            None, type=["null", "integer"], minimum=1, description="Required unless once; >= 15 for minute"
        ),
        "name_prefix": Param(
            "Airflow", type="string", minLength=1, description="Prefix of every resource name"
        ),
        "poll_interval": Param(
            30, type="number", exclusiveMinimum=0, description="Seconds between run checks"
        ),
        "deferrable": Param(False, type="boolean", description="Wait for the run in the triggerer"),
    },
) as dag:
    base_connection = AEPCreateStripeBaseConnectionOperator(
        task_id="create_base_connection",
        name="{{ params.name_prefix }} Stripe base connection",
        description="Authenticated base connection for Stripe",
    )
    explore = AEPExploreStripeResourceOperator(
        task_id="explore_resource",
        base_connection_id=base_connection.output,
        resource_path="{{ params.resource_path }}",
    )
    source_connection = AEPCreateStripeSourceConnectionOperator(
        task_id="create_source_connection",
        name=f"{PREFIX} source connection",
        base_connection_id=base_connection.output,
        resource_path="{{ params.resource_path }}",
    )
    schema = AEPCreateTargetSchemaOperator(
        task_id="create_target_schema",
        title=PREFIX,
        explore_schema=explore.output,
        resource_path="{{ params.resource_path }}",
    )
    dataset = AEPCreateDatasetOperator(
        task_id="create_dataset", name=f"{PREFIX} dataset", schema_id=schema.output
    )
    target_connection = AEPCreateTargetConnectionOperator(
        task_id="create_target_connection",
        name=f"{PREFIX} target connection",
        schema_id=schema.output,
        dataset_id=dataset.output,
    )
    mapping_set = AEPCreateMappingSetOperator(
        task_id="create_mapping_set",
        name=f"{PREFIX} mapping",
        schema_id=schema.output,
        explore_schema=explore.output,
        resource_path="{{ params.resource_path }}",
    )
    dataflow = AEPCreateDataflowOperator(
        task_id="create_dataflow",
        name=f"{PREFIX} dataflow",
        source_connection_id=source_connection.output,
        target_connection_id=target_connection.output,
        mapping_id=mapping_set.output,
        mapping_version="{{ ti.xcom_pull(task_ids='create_mapping_set', key='mapping_version') }}",
        frequency="{{ params.frequency }}",
        interval="{{ params.interval }}",
    )
    wait_for_run = AEPDataflowRunSensor(
        task_id="wait_for_run",
        flow_id=dataflow.output,
        poll_interval="{{ params.poll_interval }}",
        deferrable="{{ params.deferrable }}",
    )
