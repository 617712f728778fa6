"""Onboard one table of a payments app (PayPal here) into Adobe Experience Platform, as Adobe's
"Collect payment data through source connectors and APIs" tutorial does by hand: base connection
(credentials from the `paypal_default` Airflow connection: host, login = client ID, password = client
secret) -> explore the table -> `tabular` source connection (`params.path`); schema inferred from the
table's columns (or your `mappings`; with class_id experienceevent, `_id` and `timestamp` from the
`id_column` and `timestamp_column` you name) -> dataset -> target connection; mapping set -> dataflow on the
`CRMToAEP` flow spec (found by name) with `Copy` (`deltaColumn`) and `Mapping` -> wait for the run.
"""

from __future__ import annotations

import os

from airflow.providers.common.compat.sdk import DAG, Param

from airflow_provider_stripe_aep.sources import paypal as payments
from airflow_provider_stripe_aep.task_groups import PAYPAL, table_to_aep_onboarding_group
from airflow_provider_stripe_aep.task_groups.params import (
    change_params,
    change_templates,
    event_column_params,
    max_failed_ratio_param,
    onboarding_dag_settings,
    schedule_and_wait_params,
    schedule_and_wait_templates,
    template,
)

with DAG(
    dag_id="payments_to_aep_onboarding",
    description="Onboard a payments app table (PayPal) into Adobe Experience Platform (Flow Service API)",
    schedule=os.environ.get("PAYMENTS_AEP_ONBOARDING_SCHEDULE") or None,
    # Start 2026-01-01, no catchup, one run at a time, 2 retries 15 s apart (creates are idempotent).
    **onboarding_dag_settings(),
    tags=["payments", "paypal", "adobe-experience-platform", "example"],
    params={
        "table_path": Param(
            payments.PAYPAL_DEFAULT_TABLE,
            type="string",
            minLength=1,
            pattern=r"^\S+$",
            description="The table to onboard (the source connection's params.path)",
        ),
        "delta_column": Param(
            payments.DEFAULT_DELTA_COLUMN,
            type="string",
            minLength=1,
            description="Column that tells new rows from old ones (Copy transformation)",
        ),
        "delta_date_format": Param(
            payments.DEFAULT_DELTA_DATE_FORMAT, type="string", minLength=1, description="Its date format"
        ),
        "delta_timezone": Param(
            payments.DEFAULT_DELTA_TIMEZONE, type="string", minLength=1, description="Its time zone"
        ),
        "mappings": Param(
            None,
            type=["null", "array"],
            items={"type": "object"},
            minItems=1,
            description="Your own mappings (sourceAttribute/destinationXdmPath or source/destination); "
            "null infers them from the table's columns",
        ),
        **schedule_and_wait_params(),
        **event_column_params(),
        "max_failed_ratio": max_failed_ratio_param(),
        **change_params(),
    },
) as dag:
    table_to_aep_onboarding_group(
        template("table_path"),
        source=PAYPAL,
        group_id="onboarding",
        prefix_group_id=False,
        delta_column=template("delta_column"),
        delta_date_format=template("delta_date_format"),
        delta_timezone=template("delta_timezone"),
        mappings=template("mappings"),
        name_prefix=template("name_prefix"),
        **schedule_and_wait_templates(),  # frequency, interval, start_time... from the params
        id_column=template("id_column"),
        timestamp_column=template("timestamp_column"),
        timestamp_format=template("timestamp_format"),
        max_failed_ratio=template("max_failed_ratio"),
        **change_templates(),  # plan_only, on_conflict, on_schema_change
    )
