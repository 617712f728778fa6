"""The plan of an onboarding (what a run would do, with zero writes) and the gate its changes pass."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.providers.common.compat.sdk import AirflowSkipException, BaseOperator

from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.resources.naming import OnboardingNames, onboarding_names
from airflow_provider_stripe_aep.resources.platform import PROFILE_CLASS_ID
from airflow_provider_stripe_aep.utils.failures import fail_fast
from airflow_provider_stripe_aep.validation import (
    optional_value,
    validate_bool,
    validate_class_id,
    validate_id,
    validate_name,
    validate_name_prefix,
    validate_resource_path,
    validate_schedule,
    validate_table_path,
)


class AEPPlanOnboardingOperator(AEPBaseOperator):
    """Work out what an onboarding of one Stripe resource path would do, sending only GETs; returns
    the plan (XCom): per resource `create`, `keep`, `update` (each field's old and new value),
    `conflict` (the difference) or `refused` (what AEP forbids and why), and the write requests the
    run would send. Run on its own, or as the `plan` task of an onboarding with `plan_only`.

    :param resource_path: the Stripe resource path.
    :param name_prefix: the onboarding's name prefix (or give `names`).
    :param names: the onboarding's resource names (`resources.naming.onboarding_names`).
    :param class_id, frequency, interval, start_time, backfill: as for the onboarding.
    :param plan_only: when given and false, the task is skipped (an onboarding run that applies).
    :param table_path: plan the onboarding of this table of a table-based source instead, with
        `connection_spec_id`, `auth_spec_name`, `flow_spec_name` (found by name: a GET), `mappings`
        and `id_column`, `timestamp_column`, `timestamp_format` as `table_to_aep_onboarding_group` takes.
    """

    template_fields: Sequence[str] = (
        "aep_conn_id",
        "resource_path",
        "name_prefix",
        "names",
        "class_id",
        "frequency",
        "interval",
        "start_time",
        "backfill",
        "plan_only",
        "on_conflict",
        "on_schema_change",
        "table_path",
        "mappings",
        "id_column",
        "timestamp_column",
        "timestamp_format",
    )
    ui_color = "#c9e4f5"

    def __init__(
        self,
        *,
        resource_path: str = "",
        name_prefix: str | None = None,
        names: OnboardingNames | None = None,
        class_id: str = PROFILE_CLASS_ID,
        frequency: str = "once",
        interval: int | str | None = None,
        start_time: Any = None,
        backfill: bool | str | None = None,
        plan_only: bool | str = True,
        table_path: str | None = None,
        connection_spec_id: str | None = None,
        auth_spec_name: str | None = None,
        flow_spec_name: str | None = None,
        mappings: Any = None,
        id_column: str | None = None,
        timestamp_column: str | None = None,
        timestamp_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if names is None and name_prefix is None:
            raise ValueError("give name_prefix or names")
        self.resource_path = resource_path
        self.name_prefix = name_prefix
        self.names = names
        self.class_id = class_id
        self.frequency = frequency
        self.interval = interval
        self.start_time = start_time
        self.backfill = backfill
        self.plan_only = plan_only
        self.table_path = table_path
        self.table_source = (connection_spec_id, auth_spec_name, flow_spec_name)
        self.mappings = mappings
        self.id_column = id_column
        self.timestamp_column = timestamp_column
        self.timestamp_format = timestamp_format

    def execute(self, context: Any) -> dict[str, Any]:
        from airflow_provider_stripe_aep.resources.plan import Wanted, plan_onboarding, render
        from airflow_provider_stripe_aep.xdm import from_explore

        if not validate_bool(self.plan_only, "plan_only"):
            raise AirflowSkipException("plan_only is false: the run applies (see task `apply`)")
        class_id = validate_class_id(self.class_id)
        if self.table_path:
            return self._plan_table(class_id)
        resource = validate_resource_path(self.resource_path)
        names = self._names(resource)
        schedule = self._schedule()
        observed = self.hook.observe_onboarding(names, resource)
        group = mappings = None
        if observed.explore is not None:  # built as the schema and mapping steps build them
            tenant_id = observed.tenant_id
            group = from_explore.field_group(
                observed.explore,
                resource=resource,
                table=False,
                tenant_id=tenant_id,
                title=names.field_group,
                class_id=class_id,
            )
            mappings = from_explore.mappings(
                observed.explore, resource=resource, table=False, tenant_id=tenant_id, class_id=class_id
            )
        plan = plan_onboarding(
            names,
            observed,
            Wanted(resource, group, class_id, mappings, schedule),
            on_conflict=self.on_conflict,
            on_schema_change=self.on_schema_change,
        )
        self.log.info("%s", render(plan))
        return plan

    def _names(self, resource: str, label: str = "Stripe") -> OnboardingNames:
        if self.names is not None:
            return OnboardingNames(*self.names)
        return onboarding_names(validate_name_prefix(self.name_prefix), resource, source_label=label)

    def _schedule(self) -> dict[str, Any]:
        return validate_schedule(
            self.frequency,
            optional_value(self.interval),
            optional_value(self.start_time),
            optional_value(self.backfill),
        )

    def _plan_table(self, class_id: str) -> dict[str, Any]:
        """The same, for a table: its explore, field group and mappings as the table steps make them."""
        from airflow_provider_stripe_aep.resources.plan import SourceFacts, Wanted, plan_onboarding, render
        from airflow_provider_stripe_aep.sources import paypal
        from airflow_provider_stripe_aep.xdm import from_explore
        from airflow_provider_stripe_aep.xdm import inference as xdm

        table = validate_table_path(self.table_path)
        spec_id, auth_spec, flow_spec = self.table_source
        names = self._names(table, paypal.PAYPAL_LABEL)
        source = SourceFacts(
            validate_id(spec_id or paypal.PAYPAL_CONNECTION_SPEC_ID, "connection_spec_id"),
            validate_name(auth_spec or paypal.PAYPAL_AUTH_SPEC_NAME, "auth_spec_name"),
            paypal.TABLE_DATA_FORMAT,
            {"path": table},
            self.hook.flow_spec_id(validate_name(flow_spec or paypal.CRM_FLOW_SPEC_NAME, "flow_spec_name")),
        )
        observed = self.hook.observe_onboarding(names, table, table=True)
        group = mappings = None
        if observed.explore is not None:
            tenant_id = observed.tenant_id
            group = from_explore.field_group(
                observed.explore,
                resource=table,
                table=True,
                tenant_id=tenant_id,
                title=names.field_group,
                class_id=class_id,
            )
            given = optional_value(self.mappings)
            if given:
                mappings = [xdm.normalize_mapping(m) for m in given]
            else:
                events = from_explore.table_event_mappings(
                    observed.explore,
                    class_id=class_id,
                    id_column=self.id_column,
                    timestamp_column=self.timestamp_column,
                    timestamp_format=self.timestamp_format,
                )
                mappings = from_explore.mappings(
                    observed.explore,
                    resource=table,
                    table=True,
                    tenant_id=tenant_id,
                    class_id=class_id,
                    event_mappings=events,
                )
        plan = plan_onboarding(
            names,
            observed,
            Wanted(table, group, class_id, mappings, self._schedule(), source),
            on_conflict=self.on_conflict,
            on_schema_change=self.on_schema_change,
        )
        self.log.info("%s", render(plan))
        return plan


class AEPApplyOperator(BaseOperator):
    """Where an onboarding's changes start: skipped, with every step after it, when `plan_only`
    (the run then only plans); otherwise a no-op. No HTTP call.

    :param plan_only: a bool or a template such as `{{ params.plan_only }}`.
    """

    template_fields: Sequence[str] = ("plan_only",)
    ui_color = "#f5e6a3"

    def __init__(self, *, plan_only: bool | str = False, **kwargs: Any) -> None:
        kwargs.setdefault("retries", 0)
        super().__init__(**kwargs)
        self.plan_only = plan_only

    def execute(self, context: Any) -> None:
        with fail_fast():
            plan_only = validate_bool(self.plan_only, "plan_only")
        if plan_only:
            raise AirflowSkipException("plan_only: this run only plans (see task `plan`); nothing is applied")
