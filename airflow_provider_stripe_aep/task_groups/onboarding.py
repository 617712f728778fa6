# Operators declare the rendered types of their arguments; a DAG passes XComArgs (task.output).
# mypy: disable-error-code="arg-type"
"""The onboarding of one resource as a TaskGroup, to drop into any DAG in a line or two::

    from airflow_provider_stripe_aep.task_groups import stripe_to_aep_onboarding_group

    charges = stripe_to_aep_onboarding_group("charges", name_prefix="Shop", frequency="day", interval=1)
    extract >> charges >> notify          # your own tasks before and after it
    report(charges.dataflow_id)           # its outputs are XComArgs

The group runs Adobe's tutorial steps, each an idempotent operator: validate_params (no HTTP) ->
base connection -> explore -> source connection; target schema (field group + schema) -> dataset ->
target connection; mapping set -> dataflow -> wait for the run. Names come from
:func:`airflow_provider_stripe_aep.resources.naming.onboarding_names`, so the ingest and teardown DAGs
find what it made. Arguments may be literals (checked when the DAG is parsed) or Jinja templates such as
``"{{ params.frequency }}"`` (checked by the group's first task, before any request).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow.providers.common.compat.sdk import TaskGroup

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.hooks.stripe import StripeHook
from airflow_provider_stripe_aep.operators.checks import (
    AEPCheckTableColumnsOperator,
    AEPValidateOnboardingOperator,
)
from airflow_provider_stripe_aep.operators.connections import (
    AEPCreateBaseConnectionOperator,
    AEPCreateSourceConnectionOperator,
    AEPCreateStripeBaseConnectionOperator,
    AEPCreateStripeSourceConnectionOperator,
    AEPCreateTargetConnectionOperator,
    AEPExploreStripeResourceOperator,
    AEPExploreTableOperator,
)
from airflow_provider_stripe_aep.operators.dataflow import AEPCreateDataflowOperator
from airflow_provider_stripe_aep.operators.mapping import AEPCreateMappingSetOperator
from airflow_provider_stripe_aep.operators.schema import (
    AEPCreateDatasetOperator,
    AEPCreateTargetSchemaOperator,
)
from airflow_provider_stripe_aep.resources.naming import OnboardingNames, onboarding_names
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
from airflow_provider_stripe_aep.sources import paypal as payments
from airflow_provider_stripe_aep.validation import (
    optional_value,
    validate_bool,
    validate_class_id,
    validate_event_columns,
    validate_name_prefix,
    validate_poll_interval,
    validate_resource_path,
    validate_schedule,
    validate_table_path,
)

_GROUP_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]")
_SCHEDULE = ("frequency", "interval", "start_time", "backfill")


class OnboardingTaskGroup(TaskGroup):
    """A TaskGroup holding one onboarding; chain it like a task (`a >> group >> b`).

    Its outputs are XComArgs for downstream tasks: `base_connection_id`, `explore`,
    `source_connection_id`, `schema_id`, `dataset_id`, `target_connection_id`, `mapping_id`,
    `dataflow_id` and `run` (the run summary the wait returns: run ID, status, record counts).
    """

    base_connection_id: Any
    explore: Any
    source_connection_id: Any
    schema_id: Any
    dataset_id: Any
    target_connection_id: Any
    mapping_id: Any
    dataflow_id: Any
    run: Any
    names: OnboardingNames


@dataclass(frozen=True)
class TableSource:
    """A table-based Flow Service batch source, such as the payments apps of Adobe's tutorial.

    :param auth_fields: auth param -> attribute of the `auth_conn_id` Airflow connection.
    :param label: the word names use for this source (`<prefix> <label> <table> dataflow`).
    """

    connection_spec_id: str = payments.PAYPAL_CONNECTION_SPEC_ID
    auth_spec_name: str = payments.PAYPAL_AUTH_SPEC_NAME
    auth_conn_id: str = payments.PAYPAL_DEFAULT_CONN_ID
    auth_fields: Mapping[str, str] = field(default_factory=lambda: dict(payments.PAYPAL_AUTH_FIELDS))
    flow_spec_name: str = payments.CRM_FLOW_SPEC_NAME
    label: str = payments.PAYPAL_LABEL


PAYPAL = TableSource()


def _literal(value: Any) -> bool:
    """A value known when the DAG is parsed (not a Jinja template, not an XComArg)."""
    if isinstance(value, str):
        return "{{" not in value and "{%" not in value
    return value is None or isinstance(value, int | float | bool | list | dict)


def _check_literals(target_field: str, target: Any, settings: Mapping[str, Any]) -> None:
    """Reject bad literal arguments when the DAG is parsed: such a DAG never runs at all."""
    checks: dict[str, Callable[[Any], Any]] = {
        "name_prefix": validate_name_prefix,
        "class_id": validate_class_id,
        "poll_interval": validate_poll_interval,
        "deferrable": lambda v: validate_bool(v, "deferrable"),
        "resource_path": validate_resource_path,
        "table_path": validate_table_path,
    }
    single = {name: settings[name] for name in ("name_prefix", "class_id", "poll_interval", "deferrable")}
    for name, value in {**single, target_field: target}.items():
        if _literal(value):
            checks[name](value)
    schedule = tuple(settings[name] for name in _SCHEDULE)
    if all(_literal(v) for v in schedule):
        validate_schedule(*(optional_value(v) for v in schedule))


def _check_event_literals(**event: Any) -> None:
    """A table's ExperienceEvent columns, checked with the class and mappings when all are literals."""
    if all(_literal(v) for v in event.values()):
        validate_event_columns(**event)


def _group_id(resource: Any, group_id: str | None) -> str:
    if group_id:
        return group_id
    if not (isinstance(resource, str) and _literal(resource)):
        raise ValueError("group_id is required when the resource is a template")
    return "onboard_" + _GROUP_ID_CHARS.sub("_", resource)


def stripe_to_aep_onboarding_group(
    resource_path: str,
    *,
    name_prefix: str = "Airflow",
    base_connection_id: Any = None,
    frequency: str = "once",
    interval: int | str | None = None,
    start_time: Any = None,
    backfill: bool | str | None = None,
    class_id: str = "profile",
    poll_interval: float | str = 30,
    deferrable: bool | str = False,
    selected_resource_paths: Any = None,
    aep_conn_id: str = AdobeExperiencePlatformHook.default_conn_name,
    stripe_conn_id: str = StripeHook.default_conn_name,
    group_id: str | None = None,
    prefix_group_id: bool = True,
    wait_args: dict[str, Any] | None = None,
) -> OnboardingTaskGroup:
    """Onboard one Stripe resource path; returns the TaskGroup (see :class:`OnboardingTaskGroup`).

    :param resource_path: charges, subscriptions, refunds, balance_transactions, customers or prices.
    :param name_prefix: the first word of every resource name.
    :param base_connection_id: a base connection shared with other groups (an XComArg or an ID);
        by default the group gets or creates `<prefix> Stripe base connection` itself.
    :param frequency, interval, start_time, backfill: the dataflow's schedule (see `validate_schedule`).
    :param class_id: `profile`, `experienceevent` or a class `$id` for the target schema.
    :param poll_interval, deferrable: how the last task waits for the dataflow's run.
    :param selected_resource_paths: a list (or template) of the paths chosen for this run; when
        `resource_path` is not in it the whole group is skipped.
    :param group_id: defaults to `onboard_<resource_path>`; `prefix_group_id=False` keeps bare task IDs.
    :param wait_args: more arguments of the `wait_for_run` sensor, e.g. `max_failed_ratio` (default:
        AEP's 0.5 % ingestion-failure rule) or `allow_partial_success`.
    """
    settings = _settings(
        name_prefix, frequency, interval, start_time, backfill, class_id, poll_interval, deferrable
    )
    _check_literals("resource_path", resource_path, settings)
    names = onboarding_names(name_prefix, resource_path)

    def create_base() -> Any:
        return AEPCreateStripeBaseConnectionOperator(
            task_id="create_base_connection",
            name=names.base_connection,
            description="Authenticated base connection for Stripe",
            stripe_conn_id=stripe_conn_id,
            aep_conn_id=aep_conn_id,
        )

    def create_sources(base_id: Any, check: Any) -> tuple[Any, Any, Any]:
        explore = AEPExploreStripeResourceOperator(
            task_id="explore_resource",
            base_connection_id=base_id,
            resource_path=resource_path,
            aep_conn_id=aep_conn_id,
        )
        source = AEPCreateStripeSourceConnectionOperator(
            task_id="create_source_connection",
            name=names.source_connection,
            base_connection_id=base_id,
            resource_path=resource_path,
            aep_conn_id=aep_conn_id,
        )
        return explore, source, None

    return _onboarding_group(
        resource_path,
        group_id=_group_id(resource_path, group_id),
        prefix_group_id=prefix_group_id,
        tooltip=f"Onboard Stripe {resource_path} into Adobe Experience Platform",
        names=names,
        settings=settings,
        check_args={"selected": selected_resource_paths},
        base_connection_id=base_connection_id,
        create_base=create_base,
        create_sources=create_sources,
        resource_args={"resource_path": resource_path},
        aep_conn_id=aep_conn_id,
        wait_args=wait_args,
    )


def table_to_aep_onboarding_group(
    table_path: str,
    *,
    delta_column: str = payments.DEFAULT_DELTA_COLUMN,
    delta_date_format: str | None = payments.DEFAULT_DELTA_DATE_FORMAT,
    delta_timezone: str | None = payments.DEFAULT_DELTA_TIMEZONE,
    mappings: Any = None,
    source: TableSource = PAYPAL,
    name_prefix: str = "Airflow",
    base_connection_id: Any = None,
    frequency: str = "once",
    interval: int | str | None = None,
    start_time: Any = None,
    backfill: bool | str | None = None,
    class_id: str = "profile",
    poll_interval: float | str = 30,
    deferrable: bool | str = False,
    id_column: str | None = None,
    timestamp_column: str | None = None,
    timestamp_format: str | None = None,
    aep_conn_id: str = AdobeExperiencePlatformHook.default_conn_name,
    group_id: str | None = None,
    prefix_group_id: bool = True,
    wait_args: dict[str, Any] | None = None,
) -> OnboardingTaskGroup:
    """Onboard one table of a table-based source (PayPal by default), as Adobe's payments tutorial
    does: `tabular` source connection with `params.path`, the flow spec found by name (`CRMToAEP`),
    `Copy` with `deltaColumn` before the `Mapping`. The schema and mappings are inferred from the
    table's columns unless `mappings` are given (current or legacy style).

    With `class_id="experienceevent"` (and no `mappings`), name the columns the event's `_id` and
    `timestamp` come from: `id_column` (a string or integer column), `timestamp_column` and
    `timestamp_format` - `epoch_seconds` or `epoch_milliseconds` for a numeric column, or the date
    pattern of a string column (`yyyy-MM-dd HH:mm:ss`). They are checked before any request, and
    against the explored columns (task `check_columns`) before anything is created from the table.
    `wait_args` go to the `wait_for_run` sensor (e.g. `max_failed_ratio`), as in the Stripe group.
    """
    settings = _settings(
        name_prefix, frequency, interval, start_time, backfill, class_id, poll_interval, deferrable
    )
    _check_literals("table_path", table_path, settings)
    event_columns = {
        "id_column": id_column,
        "timestamp_column": timestamp_column,
        "timestamp_format": timestamp_format,
    }
    _check_event_literals(class_id=class_id, mappings=mappings, **event_columns)
    names = onboarding_names(name_prefix, table_path, source_label=source.label)

    def create_base() -> Any:
        return AEPCreateBaseConnectionOperator(
            task_id="create_base_connection",
            name=names.base_connection,
            description=f"Authenticated base connection for {source.label}",
            connection_spec_id=source.connection_spec_id,
            auth_spec_name=source.auth_spec_name,
            auth_conn_id=source.auth_conn_id,
            auth_fields=source.auth_fields,
            aep_conn_id=aep_conn_id,
        )

    def create_sources(base_id: Any, check: Any) -> tuple[Any, Any, Any]:
        explore = AEPExploreTableOperator(
            task_id="explore_table",
            base_connection_id=base_id,
            table_path=table_path,
            aep_conn_id=aep_conn_id,
        )
        source_connection = AEPCreateSourceConnectionOperator(
            task_id="create_source_connection",
            name=names.source_connection,
            description=f"{source.label} source connection",
            base_connection_id=base_id,
            connection_spec_id=source.connection_spec_id,
            source_params={"path": table_path},
            data_format=payments.TABLE_DATA_FORMAT,
            aep_conn_id=aep_conn_id,
        )
        check_columns = AEPCheckTableColumnsOperator(
            task_id="check_columns", explore=explore.output, columns=check.output
        )
        check_columns >> source_connection
        return explore, source_connection, check_columns

    copy = payments.copy_transformation(delta_column, delta_date_format, delta_timezone)
    return _onboarding_group(
        table_path,
        group_id=_group_id(table_path, group_id),
        prefix_group_id=prefix_group_id,
        tooltip=f"Onboard {source.label} table {table_path} into Adobe Experience Platform",
        names=names,
        settings=settings,
        check_args={
            "resource_field": "table_path",
            "tables": True,
            "delta_column": delta_column,
            "mappings": mappings,
            **event_columns,
        },
        base_connection_id=base_connection_id,
        create_base=create_base,
        create_sources=create_sources,
        resource_args={"table_path": table_path},
        mapping_args={"mappings": mappings, **event_columns},
        dataflow_args={"flow_spec_name": source.flow_spec_name, "transformations": [copy]},
        aep_conn_id=aep_conn_id,
        wait_args=wait_args,
    )


def _settings(
    name_prefix: Any,
    frequency: Any,
    interval: Any,
    start_time: Any,
    backfill: Any,
    class_id: Any,
    poll_interval: Any,
    deferrable: Any,
) -> dict[str, Any]:
    """The arguments every onboarding hands, as given, to its steps (validate_params checks them all)."""
    return {
        "name_prefix": name_prefix,
        "frequency": frequency,
        "interval": interval,
        "start_time": start_time,
        "backfill": backfill,
        "class_id": class_id,
        "poll_interval": poll_interval,
        "deferrable": deferrable,
    }


def _onboarding_group(
    target: Any,
    *,
    group_id: str,
    prefix_group_id: bool,
    tooltip: str,
    names: OnboardingNames,
    settings: Mapping[str, Any],
    check_args: dict[str, Any],
    base_connection_id: Any,
    create_base: Callable[[], Any],
    create_sources: Callable[[Any, Any], tuple[Any, Any, Any]],
    resource_args: dict[str, Any],
    aep_conn_id: str,
    wait_args: dict[str, Any] | None = None,
    mapping_args: dict[str, Any] | None = None,
    dataflow_args: dict[str, Any] | None = None,
) -> OnboardingTaskGroup:
    """The wiring every source shares: validate_params first; the base connection unless one is given;
    the source's own explore and source connection (`create_sources(base_connection_id, check)`
    returns them, and a check the schema waits for, or None); then schema -> dataset -> target
    connection and mapping -> dataflow -> wait. Sets the group's outputs."""
    group = OnboardingTaskGroup(group_id=group_id, prefix_group_id=prefix_group_id, tooltip=tooltip)
    with group:
        check = AEPValidateOnboardingOperator(
            task_id="validate_params", targets=target, **settings, **check_args
        )
        own_base = base_connection_id is None
        if own_base:
            base = create_base()
            check >> base
            base_connection_id = base.output
        explore, source, gate = create_sources(base_connection_id, check)
        if not own_base:  # otherwise they wait for the base connection, which waits for the check
            check >> [explore, source]
        schema = AEPCreateTargetSchemaOperator(
            task_id="create_target_schema",
            title=names.schema,
            explore_schema=explore.output,
            class_id=settings["class_id"],
            aep_conn_id=aep_conn_id,
            **resource_args,
        )
        if gate is not None:
            gate >> schema
        dataset = AEPCreateDatasetOperator(
            task_id="create_dataset", name=names.dataset, schema_id=schema.output, aep_conn_id=aep_conn_id
        )
        target = AEPCreateTargetConnectionOperator(
            task_id="create_target_connection",
            name=names.target_connection,
            schema_id=schema.output,
            dataset_id=dataset.output,
            aep_conn_id=aep_conn_id,
        )
        mapping_set = AEPCreateMappingSetOperator(
            task_id="create_mapping_set",
            name=names.mapping_set,
            schema_id=schema.output,
            explore_schema=explore.output,
            class_id=settings["class_id"],
            tenant_id=f"{{{{ ti.xcom_pull(task_ids='{schema.task_id}', key='tenant_id') }}}}",
            aep_conn_id=aep_conn_id,
            **resource_args,
            **(mapping_args or {}),
        )
        dataflow = AEPCreateDataflowOperator(
            task_id="create_dataflow",
            name=names.dataflow,
            source_connection_id=source.output,
            target_connection_id=target.output,
            mapping_id=mapping_set.output,
            mapping_version=(
                f"{{{{ ti.xcom_pull(task_ids='{mapping_set.task_id}', key='mapping_version') }}}}"
            ),
            **{name: settings[name] for name in _SCHEDULE},
            aep_conn_id=aep_conn_id,
            **(dataflow_args or {}),
        )
        wait = AEPDataflowRunSensor(
            task_id="wait_for_run",
            flow_id=dataflow.output,
            poll_interval=settings["poll_interval"],
            deferrable=settings["deferrable"],
            aep_conn_id=aep_conn_id,
            **(wait_args or {}),
        )
        group.base_connection_id = base_connection_id
        group.explore = explore.output
        group.source_connection_id = source.output
        group.schema_id = schema.output
        group.dataset_id = dataset.output
        group.target_connection_id = target.output
        group.mapping_id = mapping_set.output
        group.dataflow_id = dataflow.output
        group.run = wait.output
        group.names = names
    return group
