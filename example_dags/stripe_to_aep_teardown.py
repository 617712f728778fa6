"""Remove everything a Stripe onboarding created in Adobe Experience Platform.

Resources are found by the names the onboarding gives them (`naming.onboarding_names`) and deleted
in the order AEP requires: each resource's dataflow, then its source and target connections (and,
with `delete_data_resources`, its dataset, schema and field group), then the shared base connection
once no dataflow uses it. What is already gone counts as done, so the DAG can be re-run. Mapping
sets are kept: Data Prep documents no DELETE for them. The task returns (XCom) and logs what it
deleted, what was already absent and what it skipped.
"""

from __future__ import annotations

import pendulum
from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_stripe_aep.operators.lifecycle import AEPTeardownOnboardingOperator
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

with DAG(
    dag_id="stripe_to_aep_teardown",
    description="Delete what a Stripe onboarding created in AEP, in the order AEP requires",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    render_template_as_native_obj=True,
    tags=["stripe", "adobe-experience-platform", "example"],
    params={
        "name_prefix": Param(
            "Airflow", type="string", minLength=1, description="Name prefix the onboarding used"
        ),
        "resource_paths": Param(
            list(RESOURCE_PATHS),
            type="array",
            items={"type": "string", "enum": list(RESOURCE_PATHS)},
            description="Stripe resource paths to remove",
        ),
        "delete_data_resources": Param(
            False, type="boolean", description="Also delete the datasets, schemas and field groups"
        ),
    },
) as dag:
    AEPTeardownOnboardingOperator(
        task_id="teardown",
        name_prefix="{{ params.name_prefix }}",
        resource_paths="{{ params.resource_paths }}",
        delete_data_resources="{{ params.delete_data_resources }}",
    )
