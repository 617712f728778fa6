"""Ingest each data interval of an onboarded Stripe resource into Adobe Experience Platform.

Airflow, not a timer inside AEP, decides when Stripe data is ingested: every DAG run starts one
on-demand run of the onboarded dataflow (`POST /runs`) and waits for *that* run. A scheduled run
ingests its data interval; a manual (or Asset-triggered) run, which has no interval, ingests from
where the flow's last window ended up to its own date; a first run starts at the onboarding's start
time or the `start` param. Windows never overlap nor leave a gap, and re-running a DAG run starts no
second AEP run (the window is read back from AEP's runs).

Onboard first with `stripe_to_aep_onboarding` and frequency `once` (AEP runs on demand only dataflows
scheduled `once`); the dataflow is found by the names the onboarding gives (`naming.onboarding_names`).
The task's outlet is an AssetAlias (DatasetAlias on Airflow 2) that resolves, when the run has
ingested, to the Asset of the dataset the run wrote to (its `resource_path` and `name_prefix`), so
downstream DAGs can be scheduled on "new Stripe data landed in AEP" for that dataset; its event
carries the AEP run (run ID, window, status, record counts) in its `extra` (docs/lineage.md).

`find_target` looks the target dataset and its field group up by the onboarding's names, so the run
task reports the lineage `https://api.stripe.com/v1/<resource>` -> the AEP dataset (with its XDM
fields and the run's record counts) to OpenLineage when the `[openlineage]` extra is installed.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.providers.common.compat.sdk import DAG, Param, XComArg

from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator
from airflow_provider_stripe_aep.operators.schema import XDM_FIELDS_XCOM_KEY, AEPFindDatasetOperator
from airflow_provider_stripe_aep.resources.lineage import stripe_resource_dataset
from airflow_provider_stripe_aep.resources.naming import onboarding_names
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

try:
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 2
    from airflow.timetables.interval import CronDataIntervalTimetable  # type: ignore[no-redef,assignment]

NAME_PREFIX = os.environ.get("STRIPE_AEP_NAME_PREFIX", "Airflow")
RESOURCE_PATH = os.environ.get("STRIPE_AEP_RESOURCE_PATH", "charges")
DATASET_ALIAS = "ingested_stripe_dataset"

with DAG(
    dag_id="stripe_to_aep_ingest",
    description="Ingest each data interval of an onboarded Stripe resource with an on-demand AEP run",
    # Real data intervals: since Airflow 3 a cron string makes a CronTriggerTimetable, whose runs have
    # an empty interval (`[scheduler] create_cron_data_intervals` is off); an ingest wants its period.
    schedule=CronDataIntervalTimetable(
        os.environ.get("STRIPE_AEP_INGEST_SCHEDULE", "@daily"), timezone="UTC"
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=os.environ.get("STRIPE_AEP_INGEST_CATCHUP", "false").lower() == "true",
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    render_template_as_native_obj=True,
    tags=["stripe", "adobe-experience-platform", "example"],
    params={
        "resource_path": Param(RESOURCE_PATH, enum=list(RESOURCE_PATHS), description="Stripe resource path"),
        "name_prefix": Param(
            NAME_PREFIX, type="string", minLength=1, description="Name prefix the onboarding used"
        ),
        "poll_interval": Param(
            30, type="number", exclusiveMinimum=0, description="Seconds between run checks"
        ),
        "deferrable": Param(False, type="boolean", description="Wait for the run in the triggerer"),
        "start": Param(
            None,
            type=["null", "string"],
            description="Start of the first window (ISO-8601) when AEP has no earlier window; "
            "default the onboarding's start time",
        ),
    },
) as dag:
    names = onboarding_names("{{ params.name_prefix }}", "{{ params.resource_path }}")
    target = AEPFindDatasetOperator(
        task_id="find_target", name=names.dataset, field_group_title=names.field_group
    )
    AEPTriggerDataflowRunOperator(
        task_id="ingest_interval",
        flow_name=names.dataflow,
        first_window_start="{{ params.start }}",
        lineage_input=stripe_resource_dataset("{{ params.resource_path }}").as_dict(),
        dataset_id=target.output,
        dataset_fields=XComArg(target, key=XDM_FIELDS_XCOM_KEY),
        wait_for_completion=True,
        poll_interval="{{ params.poll_interval }}",
        deferrable="{{ params.deferrable }}",
        dataset_alias=DATASET_ALIAS,
        dataset_name=names.dataset,
    )
