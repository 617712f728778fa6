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
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Protocol

from airflow.providers.common.compat.sdk import BaseOperator, TaskGroup, conf

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.hooks.stripe import StripeHook
from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
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
from airflow_provider_stripe_aep.operators.plan import AEPApplyOperator, AEPPlanOnboardingOperator
from airflow_provider_stripe_aep.operators.schema import (
    XDM_FIELDS_XCOM_KEY,
    AEPCreateDatasetOperator,
    AEPCreateTargetSchemaOperator,
)
from airflow_provider_stripe_aep.resources.lineage import (
    LineageDataset,
    stripe_resource_dataset,
    table_dataset,
)
from airflow_provider_stripe_aep.resources.naming import OnboardingNames, onboarding_names
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
from airflow_provider_stripe_aep.sources import paypal as payments
from airflow_provider_stripe_aep.validation import (
    ON_CONFLICT_ALLOWED,
    ON_SCHEMA_CHANGE_ALLOWED,
    ONBOARDING_SETTINGS,
    ConnectionNeed,
    optional_value,
    validate_bool,
    validate_choice,
    validate_class_id,
    validate_event_columns,
    validate_failed_ratio,
    validate_name_prefix,
    validate_poll_interval,
    validate_resource_path,
    validate_schedule,
    validate_table_path,
)

_GROUP_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]")
_SCHEDULE = ("frequency", "interval", "start_time", "backfill")
_POLICIES = ("plan_only", "on_conflict", "on_schema_change")


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
class OnboardingSettings:
    """The keyword arguments every onboarding group takes, whatever its source (each may be a literal,
    checked when the DAG is parsed, or a Jinja template, checked by the group's `validate_params`).

    :param name_prefix: the first word of every resource name.
    :param base_connection_id: a base connection shared with other groups (an XComArg or an ID);
        by default the group gets or creates `<prefix> <source> base connection` itself.
    :param frequency, interval, start_time, backfill: the dataflow's schedule (see `validate_schedule`).
    :param class_id: `profile`, `experienceevent` or a class `$id` for the target schema.
    :param poll_interval, deferrable: how the last task waits for the dataflow's run (`deferrable`
        defaults to Airflow's `[operators] default_deferrable`, as for any operator).
    :param max_failed_ratio: the share of failed records the run may have (0 to 1); default AEP's
        0.5 % ingestion-failure rule (see `AEPDataflowRunSensor`).
    :param plan_only: only work out what a run would do (task `plan`, its XCom: per resource create,
        keep, update, conflict or refused, and the requests the run would send); nothing is written
        and every other step is skipped. A template (`{{ params.plan_only }}`) or True adds the tasks
        `plan` and `apply` (the gate the changes pass); a literal False (the default) adds neither.
    :param on_conflict: a same-named resource that differs: `fail`, `reuse` it, or `update` (the
        dataflow: its schedule and mapping are PATCHed).
    :param on_schema_change: the source's fields changed: `fail`, `ignore` (keep the old shape) or
        `extend` (add the new fields: field group PATCH, next mapping set version, dataflow PATCH;
        a removed or retyped field is refused before any write). See docs/changing-an-onboarding.md.
    :param aep_conn_id: the `adobe_experience_platform` connection.
    :param group_id: defaults to `onboard_<resource>`; `prefix_group_id=False` keeps bare task IDs.

    A new setting is one field here: every entry point takes it, and `validate_params` gets it when
    its name is in `validation.ONBOARDING_SETTINGS`.
    """

    name_prefix: Any = "Airflow"
    base_connection_id: Any = None
    frequency: Any = "once"
    interval: Any = None
    start_time: Any = None
    backfill: Any = None
    class_id: Any = "profile"
    poll_interval: Any = 30
    deferrable: Any = None
    max_failed_ratio: Any = None
    plan_only: Any = False
    on_conflict: Any = "fail"
    on_schema_change: Any = "fail"
    aep_conn_id: str = AdobeExperiencePlatformHook.default_conn_name
    group_id: str | None = None
    prefix_group_id: bool = True

    def __post_init__(self) -> None:
        if self.deferrable is None:
            default = conf.getboolean("operators", "default_deferrable", fallback=False)
            object.__setattr__(self, "deferrable", default)

    @classmethod
    def of(cls, entry_point: str, given: Mapping[str, Any]) -> OnboardingSettings:
        """The settings from an entry point's keyword arguments; an unknown one is named."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(given) - known)
        if unknown:
            raise TypeError(
                f"{entry_point}() got unexpected keyword arguments: {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(known))} and the source's own"
            )
        return cls(**given)

    def checked_by_validate_params(self) -> dict[str, Any]:
        """What `validate_params` checks: the name prefix and `validation.ONBOARDING_SETTINGS`."""
        return {name: getattr(self, name) for name in ("name_prefix", *ONBOARDING_SETTINGS)}

    def schedule(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _SCHEDULE}

    def may_plan(self) -> bool:
        """A literal False `plan_only` adds no `plan`/`apply` tasks; True or a template does."""
        return not (_literal(self.plan_only) and not validate_bool(self.plan_only, "plan_only"))

    def check_literals(self, resource_field: str, resource: Any) -> None:
        """Reject bad literal arguments when the DAG is parsed: such a DAG never runs at all."""
        checks: dict[str, Callable[[Any], Any]] = {
            "name_prefix": validate_name_prefix,
            "class_id": validate_class_id,
            "poll_interval": validate_poll_interval,
            "deferrable": lambda v: validate_bool(v, "deferrable"),
            "max_failed_ratio": validate_failed_ratio,
            "resource_path": validate_resource_path,
            "table_path": validate_table_path,
            "plan_only": lambda v: validate_bool(v, "plan_only"),
            "on_conflict": lambda v: validate_choice(v, ON_CONFLICT_ALLOWED, "on_conflict"),
            "on_schema_change": lambda v: validate_choice(v, ON_SCHEMA_CHANGE_ALLOWED, "on_schema_change"),
        }
        single = {
            name: getattr(self, name)
            for name in (
                "name_prefix",
                "class_id",
                "poll_interval",
                "deferrable",
                "max_failed_ratio",
                *_POLICIES,
            )
        }
        for name, value in {**single, resource_field: resource}.items():
            if _literal(value):
                checks[name](value)
        schedule = tuple(self.schedule().values())
        if all(_literal(v) for v in schedule):
            validate_schedule(*(optional_value(v) for v in schedule))


@dataclass(frozen=True)
class SourceSteps:
    """A source's own steps in an onboarding: explore, source connection, and a check the schema
    waits for (or None)."""

    explore: BaseOperator
    source_connection: BaseOperator
    gate: BaseOperator | None = None


@dataclass(frozen=True)
class StripeSource:
    """Stripe, as Adobe's Stripe tutorial onboards it: the key from the `stripe` connection, one REST
    resource path explored as JSON, `params.resourcePath` on the source connection.

    :param stripe_conn_id: the `stripe` connection holding the secret API key.
    """

    stripe_conn_id: str = StripeHook.default_conn_name
    label: str = "Stripe"
    #: How validate_params and the schema and mapping steps name the resource.
    resource_field: ClassVar[str] = "resource_path"
    validate_args: ClassVar[Mapping[str, Any]] = {}

    def tooltip(self, resource: Any) -> str:
        return f"Onboard {self.label} {resource} into Adobe Experience Platform"

    def base_connection(self, **common: Any) -> BaseOperator:
        return AEPCreateStripeBaseConnectionOperator(stripe_conn_id=self.stripe_conn_id, **common)

    @property
    def connection_need(self) -> ConnectionNeed:
        """The Airflow connection the base connection step reads (checked by validate_params)."""
        return ConnectionNeed(self.stripe_conn_id, StripeHook.conn_type, ("password",), "the Stripe API key")

    def lineage_dataset(self, resource: Any) -> LineageDataset:
        """The resource as an OpenLineage dataset: `https://api.stripe.com` + `/v1/<path>`."""
        return stripe_resource_dataset(resource)

    def steps(
        self, resource: Any, names: OnboardingNames, base_id: Any, check: BaseOperator, aep_conn_id: str
    ) -> SourceSteps:
        explore = AEPExploreStripeResourceOperator(
            task_id="explore_resource",
            base_connection_id=base_id,
            resource_path=resource,
            aep_conn_id=aep_conn_id,
        )
        source = AEPCreateStripeSourceConnectionOperator(
            task_id="create_source_connection",
            name=names.source_connection,
            base_connection_id=base_id,
            resource_path=resource,
            aep_conn_id=aep_conn_id,
        )
        return SourceSteps(explore, source)


@dataclass(frozen=True)
class TableSource:
    """A table-based Flow Service batch source, such as the payments apps of Adobe's tutorial.

    :param auth_fields: auth param -> attribute of the `auth_conn_id` Airflow connection.
    :param label: the word names use for this source (`<prefix> <label> <table> dataflow`).
    :param api_host: the source's API host, the namespace of its tables in OpenLineage.
    """

    connection_spec_id: str = payments.PAYPAL_CONNECTION_SPEC_ID
    auth_spec_name: str = payments.PAYPAL_AUTH_SPEC_NAME
    auth_conn_id: str = payments.PAYPAL_DEFAULT_CONN_ID
    auth_fields: Mapping[str, str] = field(default_factory=lambda: dict(payments.PAYPAL_AUTH_FIELDS))
    flow_spec_name: str = payments.CRM_FLOW_SPEC_NAME
    label: str = payments.PAYPAL_LABEL
    api_host: str = payments.PAYPAL_API
    resource_field: ClassVar[str] = "table_path"
    validate_args: ClassVar[Mapping[str, Any]] = {"resource_field": "table_path", "tables": True}

    def tooltip(self, resource: Any) -> str:
        return f"Onboard {self.label} table {resource} into Adobe Experience Platform"

    @property
    def plan_args(self) -> dict[str, Any]:
        """What the `plan` task needs to know of this source (besides the table)."""
        return {
            "connection_spec_id": self.connection_spec_id,
            "auth_spec_name": self.auth_spec_name,
            "flow_spec_name": self.flow_spec_name,
        }

    def lineage_dataset(self, resource: Any) -> LineageDataset:
        """The table as an OpenLineage dataset: the source's API host + `/<table path>`."""
        return table_dataset(self.api_host, resource)

    @property
    def connection_need(self) -> ConnectionNeed:
        """The Airflow connection the base connection step reads (checked by validate_params)."""
        fields = tuple(self.auth_fields.values())
        return ConnectionNeed(self.auth_conn_id, None, fields, f"the {self.label} credentials")

    def base_connection(self, **common: Any) -> BaseOperator:
        return AEPCreateBaseConnectionOperator(
            connection_spec_id=self.connection_spec_id,
            auth_spec_name=self.auth_spec_name,
            auth_conn_id=self.auth_conn_id,
            auth_fields=self.auth_fields,
            **common,
        )

    def steps(
        self, resource: Any, names: OnboardingNames, base_id: Any, check: BaseOperator, aep_conn_id: str
    ) -> SourceSteps:
        """Explore the table, check the columns validate_params returned against it (before the
        source connection and the schema), then the `tabular` source connection (`params.path`)."""
        explore = AEPExploreTableOperator(
            task_id="explore_table", base_connection_id=base_id, table_path=resource, aep_conn_id=aep_conn_id
        )
        source = AEPCreateSourceConnectionOperator(
            task_id="create_source_connection",
            name=names.source_connection,
            description=f"{self.label} source connection",
            base_connection_id=base_id,
            connection_spec_id=self.connection_spec_id,
            source_params={"path": resource},
            data_format=payments.TABLE_DATA_FORMAT,
            aep_conn_id=aep_conn_id,
        )
        check_columns = AEPCheckTableColumnsOperator(
            task_id="check_columns", explore=explore.output, columns=check.output
        )
        check_columns >> source
        return SourceSteps(explore, source, check_columns)


STRIPE = StripeSource()
PAYPAL = TableSource()


class OnboardingSource(Protocol):
    """What the builder needs of a source: StripeSource, TableSource, or your own of this shape."""

    @property
    def label(self) -> str: ...

    #: How validate_params and the schema and mapping steps name the resource.
    resource_field: ClassVar[str]
    #: validate_params' arguments that say what kind of resource it checks.
    validate_args: ClassVar[Mapping[str, Any]]

    def tooltip(self, resource: Any) -> str: ...

    @property
    def connection_need(self) -> ConnectionNeed:
        """The Airflow connection the source's base connection step reads (validate_params checks it)."""
        ...

    def base_connection(self, **common: Any) -> BaseOperator:
        """The base connection step, given the task_id, name, description and aep_conn_id."""
        ...

    def steps(
        self, resource: Any, names: OnboardingNames, base_id: Any, check: BaseOperator, aep_conn_id: str
    ) -> SourceSteps: ...


def _literal(value: Any) -> bool:
    """A value known when the DAG is parsed (not a Jinja template, not an XComArg)."""
    if isinstance(value, str):
        return "{{" not in value and "{%" not in value
    return value is None or isinstance(value, int | float | bool | list | dict)


def _group_id(resource: Any, group_id: str | None) -> str:
    if group_id:
        return group_id
    if not (isinstance(resource, str) and _literal(resource)):
        raise ValueError("group_id is required when the resource is a template")
    return "onboard_" + _GROUP_ID_CHARS.sub("_", resource)


def stripe_to_aep_onboarding_group(
    resource_path: str,
    *,
    stripe_conn_id: str = StripeHook.default_conn_name,
    selected_resource_paths: Any = None,
    **settings: Any,
) -> OnboardingTaskGroup:
    """Onboard one Stripe resource path; returns the TaskGroup (see :class:`OnboardingTaskGroup`).

    :param resource_path: charges, subscriptions, refunds, balance_transactions, customers or prices.
    :param stripe_conn_id: the `stripe` connection holding the secret API key.
    :param selected_resource_paths: a list (or template) of the paths chosen for this run; when
        `resource_path` is not in it the whole group is skipped.
    :param settings: those of :class:`OnboardingSettings` (name_prefix, frequency, interval,
        start_time, backfill, class_id, poll_interval, deferrable, plan_only, on_conflict,
        on_schema_change, base_connection_id, aep_conn_id, group_id, prefix_group_id).
    """
    return onboarding_group(
        StripeSource(stripe_conn_id=stripe_conn_id),
        resource_path,
        OnboardingSettings.of("stripe_to_aep_onboarding_group", settings),
        check_args={"selected": selected_resource_paths},
    )


def table_to_aep_onboarding_group(
    table_path: str,
    *,
    source: TableSource = PAYPAL,
    delta_column: str = payments.DEFAULT_DELTA_COLUMN,
    delta_date_format: str | None = payments.DEFAULT_DELTA_DATE_FORMAT,
    delta_timezone: str | None = payments.DEFAULT_DELTA_TIMEZONE,
    mappings: Any = None,
    id_column: str | None = None,
    timestamp_column: str | None = None,
    timestamp_format: str | None = None,
    **settings: Any,
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

    :param settings: those of :class:`OnboardingSettings` (name_prefix, the schedule, class_id...).
    """
    checked = OnboardingSettings.of("table_to_aep_onboarding_group", settings)
    event_columns = {
        "id_column": id_column,
        "timestamp_column": timestamp_column,
        "timestamp_format": timestamp_format,
    }
    event = {"class_id": checked.class_id, "mappings": mappings, **event_columns}
    if all(_literal(v) for v in event.values()):
        validate_event_columns(**event)
    copy = payments.copy_transformation(delta_column, delta_date_format, delta_timezone)
    return onboarding_group(
        source,
        table_path,
        checked,
        check_args={"delta_column": delta_column, "mappings": mappings, **event_columns},
        mapping_args={"mappings": mappings, **event_columns},
        dataflow_args={"flow_spec_name": source.flow_spec_name, "transformations": [copy]},
    )


def onboarding_group(
    source: OnboardingSource,
    resource: Any,
    settings: OnboardingSettings,
    *,
    check_args: Mapping[str, Any] | None = None,
    mapping_args: Mapping[str, Any] | None = None,
    dataflow_args: Mapping[str, Any] | None = None,
) -> OnboardingTaskGroup:
    """The one onboarding builder; the source is a value. validate_params first; the base connection
    unless one is given; the source's own explore and source connection (and a check the schema waits
    for); then schema -> dataset -> target connection and mapping -> dataflow -> wait. Sets the
    group's outputs. `check_args`, `mapping_args` and `dataflow_args` are the source's own extra
    arguments of validate_params, the mapping set and the dataflow."""
    settings.check_literals(source.resource_field, resource)
    names = onboarding_names(settings.name_prefix, resource, source_label=source.label)
    aep_conn_id = settings.aep_conn_id
    resource_args = {source.resource_field: resource}
    group = OnboardingTaskGroup(
        group_id=_group_id(resource, settings.group_id),
        prefix_group_id=settings.prefix_group_id,
        tooltip=source.tooltip(resource),
    )
    base_connection_id = settings.base_connection_id
    own_base = base_connection_id is None
    # The connections this run reads: AEP's, and the source's when the group makes its base connection.
    aep_need = ConnectionNeed(
        aep_conn_id, AdobeExperiencePlatformHook.conn_type, (), "Adobe Experience Platform"
    )
    with group:
        check = AEPValidateOnboardingOperator(
            task_id="validate_params",
            targets=resource,
            connections=[aep_need, source.connection_need] if own_base else [aep_need],
            **settings.checked_by_validate_params(),
            **source.validate_args,
            **(check_args or {}),
        )
        gate: Any = check  # what the steps that change AEP wait for
        if settings.may_plan():  # `plan` works out what the run would do; `apply` (and all after) skip then
            plan = AEPPlanOnboardingOperator(
                task_id="plan",
                names=names,
                **resource_args,
                **{name: getattr(settings, name) for name in (*_SCHEDULE, *_POLICIES, "class_id")},
                **(mapping_args or {}),
                **getattr(source, "plan_args", {}),
                aep_conn_id=aep_conn_id,
            )
            gate = AEPApplyOperator(task_id="apply", plan_only=settings.plan_only)
            check >> [plan, gate]
        if own_base:
            base = source.base_connection(
                task_id="create_base_connection",
                name=names.base_connection,
                description=f"Authenticated base connection for {source.label}",
                aep_conn_id=aep_conn_id,
            )
            gate >> base
            base_connection_id = base.output
        steps = source.steps(resource, names, base_connection_id, check, aep_conn_id)
        explore, source_connection = steps.explore, steps.source_connection
        if not own_base:  # otherwise they wait for the base connection, which waits for the gate
            gate >> [explore, source_connection]
        schema = AEPCreateTargetSchemaOperator(
            task_id="create_target_schema",
            title=names.schema,
            explore_schema=explore.output,
            class_id=settings.class_id,
            aep_conn_id=aep_conn_id,
            **resource_args,
        )
        if steps.gate is not None:
            steps.gate >> schema
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
            class_id=settings.class_id,
            tenant_id=f"{{{{ ti.xcom_pull(task_ids='{schema.task_id}', key='tenant_id') }}}}",
            aep_conn_id=aep_conn_id,
            **resource_args,
            **(mapping_args or {}),
        )
        # OpenLineage (docs/lineage.md): the source -> the dataset with its fields. Templates, not
        # XComArgs: the tasks keep their upstreams (the wait's only one stays create_dataflow).
        source_dataset = getattr(source, "lineage_dataset", None)
        lineage = {
            "lineage_input": source_dataset(resource).as_dict() if source_dataset else None,
            "dataset_id": f"{{{{ ti.xcom_pull(task_ids='{dataset.task_id}') }}}}",
            "dataset_fields": (
                f"{{{{ ti.xcom_pull(task_ids='{schema.task_id}', key='{XDM_FIELDS_XCOM_KEY}') | tojson }}}}"
            ),
        }
        dataflow = AEPCreateDataflowOperator(
            task_id="create_dataflow",
            name=names.dataflow,
            source_connection_id=source_connection.output,
            target_connection_id=target.output,
            mapping_id=mapping_set.output,
            mapping_version=(
                f"{{{{ ti.xcom_pull(task_ids='{mapping_set.task_id}', key='mapping_version') }}}}"
            ),
            **settings.schedule(),
            aep_conn_id=aep_conn_id,
            **lineage,
            **(dataflow_args or {}),
        )
        wait = AEPDataflowRunSensor(
            task_id="wait_for_run",
            flow_id=dataflow.output,
            poll_interval=settings.poll_interval,
            deferrable=settings.deferrable,
            max_failed_ratio=settings.max_failed_ratio,
            aep_conn_id=aep_conn_id,
            **lineage,
        )
        for task in group.children.values():  # every AEP step follows the onboarding's policies
            if isinstance(task, AEPBaseOperator):
                task.on_conflict = settings.on_conflict
                task.on_schema_change = settings.on_schema_change
        group.base_connection_id = base_connection_id
        group.explore = explore.output
        group.source_connection_id = source_connection.output
        group.schema_id = schema.output
        group.dataset_id = dataset.output
        group.target_connection_id = target.output
        group.mapping_id = mapping_set.output
        group.dataflow_id = dataflow.output
        group.run = wait.output
        group.names = names
    return group
