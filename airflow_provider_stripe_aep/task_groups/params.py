"""DAG `Param`s of the onboardings, with JSON schemas: the UI's trigger form checks them, and a run
triggered with a value they reject is refused before it starts. Checks across params (interval with
frequency, names...) are the job of the `validate_params` task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.providers.common.compat.sdk import Param

from airflow_provider_stripe_aep.resources.platform import FREQUENCIES
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS
from airflow_provider_stripe_aep.validation import (
    MAX_NAME_PREFIX,
    MAX_POLL_INTERVAL,
    ON_CONFLICT_ALLOWED,
    ON_SCHEMA_CHANGE_ALLOWED,
)


def schedule_and_wait_params(poll_interval: float = 30) -> dict[str, Param]:
    """frequency, interval, start_time, name_prefix, class_id, poll_interval, deferrable."""
    return {
        "frequency": Param("once", enum=list(FREQUENCIES), description="Dataflow schedule frequency"),
        "interval": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            description="Runs every `interval` frequency units: required unless once; >= 15 for minute",
        ),
        "start_time": Param(
            None,
            type=["null", "integer", "string"],
            description="First run: epoch seconds or ISO-8601 (UTC if no offset); default now",
        ),
        "name_prefix": Param(
            "Airflow",
            type="string",
            minLength=1,
            maxLength=MAX_NAME_PREFIX,
            description="Prefix of every resource name (how re-runs, ingest and teardown find them)",
        ),
        "class_id": Param(
            "profile",
            type="string",
            minLength=1,
            description="XDM class of the target schema: profile, experienceevent or a class $id",
        ),
        "poll_interval": Param(
            poll_interval,
            type="number",
            exclusiveMinimum=0,
            maximum=MAX_POLL_INTERVAL,
            description="Seconds between run checks",
        ),
        "deferrable": Param(False, type="boolean", description="Wait for the run in the triggerer"),
    }


def max_failed_ratio_param() -> Param:
    """The share of failed records a run may have (null: AEP's 0.5 % ingestion-failure rule)."""
    return Param(
        None,
        type=["null", "number"],
        minimum=0,
        maximum=1,
        description="Fail when failed / input records exceeds this (0 to 1); null: AEP's 0.5 % rule",
    )


def change_params() -> dict[str, Param]:
    """plan_only, on_conflict, on_schema_change: how a run treats what already exists."""
    return {
        "plan_only": Param(
            False,
            type="boolean",
            description="Only show what a run would create or change (task `plan`); send no write",
        ),
        "on_conflict": Param(
            "fail",
            enum=list(ON_CONFLICT_ALLOWED),
            description="A same-named resource that differs: fail, reuse it, or update (the dataflow)",
        ),
        "on_schema_change": Param(
            "fail",
            enum=list(ON_SCHEMA_CHANGE_ALLOWED),
            description="The source gained or changed fields: fail, ignore them, or extend (additive only)",
        ),
    }


def change_templates() -> dict[str, Any]:
    """`{{ params.<name> }}` for each of `change_params`, as onboarding group keyword arguments."""
    return {name: template(name) for name in change_params()}


def event_column_params() -> dict[str, Param]:
    """id_column, timestamp_column, timestamp_format: a table's ExperienceEvent `_id` and `timestamp`."""
    descriptions = {
        "id_column": "experienceevent: the column _id comes from",
        "timestamp_column": "experienceevent: the column timestamp comes from",
        "timestamp_format": "experienceevent: epoch_seconds, epoch_milliseconds (numeric column) or the "
        "string column's date pattern, e.g. yyyy-MM-dd HH:mm:ss",
    }
    return {
        name: Param(None, type=["null", "string"], minLength=1, description=text)
        for name, text in descriptions.items()
    }


def resource_path_param(default: str = "charges") -> Param:
    return Param(default, enum=list(RESOURCE_PATHS), description="Stripe resource path")


def resource_paths_param() -> Param:
    return Param(
        list(RESOURCE_PATHS),
        type="array",
        items={"type": "string", "enum": list(RESOURCE_PATHS)},
        minItems=1,
        uniqueItems=True,
        description="Stripe resource paths to onboard (default: all six)",
    )


def template(name: str) -> Any:
    """`{{ params.<name> }}`"""
    return "{{ params.%s }}" % name  # noqa: UP031 - braces would need escaping in an f-string


def onboarding_dag_settings() -> dict[str, Any]:
    """`DAG(...)` settings every example onboarding DAG shares: start 2026-01-01 without catchup, one
    run at a time, params rendered as native objects (an integer interval stays one), and two retries
    15 s apart: creates are idempotent, so a retried task reuses what its first try made; errors a
    retry cannot cure (bad input, auth, validation, conflict) fail at once."""
    return {
        "start_date": pendulum.datetime(2026, 1, 1, tz="UTC"),
        "catchup": False,
        "max_active_runs": 1,
        "default_args": {"retries": 2, "retry_delay": timedelta(seconds=15)},
        "render_template_as_native_obj": True,
    }


def schedule_and_wait_templates() -> dict[str, Any]:
    """`{{ params.<name> }}` for each of `schedule_and_wait_params` but name_prefix, as the keyword
    arguments an onboarding group (or AEPValidateOnboardingOperator) takes them by."""
    names = ("frequency", "interval", "start_time", "class_id", "poll_interval", "deferrable")
    return {name: template(name) for name in names}
