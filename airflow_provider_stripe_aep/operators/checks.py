"""The first task of an onboarding: check every parameter before any request is sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.providers.common.compat.sdk import (
    AirflowNotFoundException,
    AirflowSkipException,
    BaseHook,
    BaseOperator,
)

from airflow_provider_stripe_aep.utils.failures import fail_fast
from airflow_provider_stripe_aep.validation import (
    EVENT_COLUMN_FIELDS,
    ONBOARDING_SETTINGS,
    ConnectionNeed,
    InvalidInputError,
    optional_value,
    validate_connection,
    validate_event_columns,
    validate_name,
    validate_onboarding_params,
    validate_resource_paths,
    validate_timestamp_format,
)


class AEPValidateOnboardingOperator(BaseOperator):
    """Check the (rendered) parameters of an onboarding, with no HTTP call; returns them, normalised.

    A bad value fails the task at once (no retry) with a message naming the field, and since every
    step of the onboarding is downstream of this task, nothing is created. With `selected`, a
    resource that is not in that list skips the task, and so the onboarding of that resource.

    :param targets: the resource path (or table path when `tables`), or a list of them.
    :param resource_field: the name of that field in messages (`resource_path`, `resource_paths`...).
    :param selected: the resource paths chosen for this run; `None` selects every one.
    :param delta_column: a table source's delta column (checked when given).
    :param mappings: user-given mappings (checked when given).
    :param id_column, timestamp_column, timestamp_format: a table source's ExperienceEvent columns
        (see `validation.validate_event_columns`; checked when `tables`).
    :param connections: the Airflow connections the run will use (`ConnectionNeed`): each must exist,
        have its type and fields (the AEP connection every field, as its hook reads them); read from
        Airflow's secrets and database, no request to AEP or the source.
    :param plan_only, on_conflict, on_schema_change: the run's policies (see
        `stripe_to_aep_onboarding_group`).
    """

    template_fields: Sequence[str] = (
        "targets",
        "name_prefix",
        "frequency",
        "interval",
        "start_time",
        "backfill",
        "class_id",
        "poll_interval",
        "deferrable",
        "plan_only",
        "on_conflict",
        "on_schema_change",
        "selected",
        "delta_column",
        "mappings",
        "id_column",
        "timestamp_column",
        "timestamp_format",
    )
    ui_color = "#f5e6a3"

    def __init__(
        self,
        *,
        targets: Any,
        name_prefix: Any,
        frequency: Any = "once",
        interval: Any = None,
        start_time: Any = None,
        backfill: Any = None,
        class_id: Any = "profile",
        poll_interval: Any = 30,
        deferrable: Any = False,
        plan_only: Any = False,
        on_conflict: Any = "fail",
        on_schema_change: Any = "fail",
        resource_field: str = "resource_path",
        tables: bool = False,
        selected: Any = None,
        delta_column: Any = None,
        mappings: Any = None,
        id_column: Any = None,
        timestamp_column: Any = None,
        timestamp_format: Any = None,
        connections: Sequence[ConnectionNeed] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("retries", 0)  # nothing here can be cured by a retry
        super().__init__(**kwargs)
        self.targets = targets
        self.name_prefix = name_prefix
        self.frequency = frequency
        self.interval = interval
        self.start_time = start_time
        self.backfill = backfill
        self.class_id = class_id
        self.poll_interval = poll_interval
        self.deferrable = deferrable
        self.plan_only = plan_only
        self.on_conflict = on_conflict
        self.on_schema_change = on_schema_change
        self.resource_field = resource_field
        self.tables = tables
        self.selected = selected
        self.delta_column = delta_column
        self.mappings = mappings
        self.id_column = id_column
        self.timestamp_column = timestamp_column
        self.timestamp_format = timestamp_format
        self.connections = [ConnectionNeed(*need) for need in connections]

    def execute(self, context: Any) -> dict[str, Any]:
        with fail_fast():
            checked = self.check()
        resource = checked[self.resource_field]
        if self.selected is not None and resource not in validate_resource_paths(self.selected):
            raise AirflowSkipException(f"{resource} is not among the selected resource paths")
        self.log.info("Parameters checked: %s", checked)
        return checked

    def check(self) -> dict[str, Any]:
        checked = validate_onboarding_params(
            resources=self.targets,
            name_prefix=self.name_prefix,
            resource_field=self.resource_field,
            tables=self.tables,
            **{name: getattr(self, name) for name in ONBOARDING_SETTINGS},
        )
        if optional_value(self.delta_column) is not None or self.tables:
            checked["delta_column"] = validate_name(self.delta_column, "delta_column")
        mappings = optional_value(self.mappings)
        if mappings is not None:
            if not isinstance(mappings, list) or not mappings:
                raise InvalidInputError("mappings", mappings, "must be a non-empty list of mappings or null")
            from airflow_provider_stripe_aep.xdm import inference as xdm  # loaded where it runs

            checked["mappings"] = len([xdm.normalize_mapping(m) for m in mappings])
        for need in self.connections:
            check_connection(need)
        if self.tables:
            checked.update(
                validate_event_columns(
                    class_id=checked["class_id"],
                    mappings=mappings,
                    id_column=self.id_column,
                    timestamp_column=self.timestamp_column,
                    timestamp_format=self.timestamp_format,
                )
            )
        return checked


def check_connection(need: ConnectionNeed) -> None:
    """Look the connection up (no HTTP to AEP or the source) and refuse it when unfit to be used."""
    conn: Any
    try:
        conn = BaseHook.get_connection(need.conn_id)
    except AirflowNotFoundException:
        conn = None
    validate_connection(need, conn)
    from airflow_provider_stripe_aep.hooks.connection_config import CONN_TYPE, build_client_config

    if need.conn_type == CONN_TYPE:  # every field as the AEP hook will read it
        build_client_config(
            conn_id=need.conn_id, host=conn.host, login=conn.login, password=conn.password, extra=conn.extra
        )


class AEPCheckTableColumnsOperator(BaseOperator):
    """Check the columns a table's ExperienceEvent `_id` and `timestamp` come from against the explore
    response (they exist, with a type their `timestamp_format` fits), with no HTTP call; returns those
    two class mappings, or `None` when there are none to check (another class, or user-given mappings).

    It runs between the table's explore and the first resource created from it, so a wrong column
    fails the run before any source connection, schema or dataset is made.

    :param explore: the table's explore response (XCom of the explore task).
    :param columns: what `validate_params` returned (its `id_column`, `timestamp_column` and
        `timestamp_format`, present only when used), or a dict of those three.
    """

    template_fields: Sequence[str] = ("explore", "columns")
    ui_color = "#f5e6a3"

    def __init__(self, *, explore: Any, columns: Any, **kwargs: Any) -> None:
        kwargs.setdefault("retries", 0)  # nothing here can be cured by a retry
        super().__init__(**kwargs)
        self.explore = explore
        self.columns = columns

    def execute(self, context: Any) -> list[dict[str, str]] | None:
        from airflow_provider_stripe_aep.xdm import tables as tabular

        given = self.columns if isinstance(self.columns, dict) else {}
        event = {name: given[name] for name in EVENT_COLUMN_FIELDS if name in given}
        if not event:
            self.log.info("No ExperienceEvent columns to check")
            return None
        with fail_fast():
            mappings = tabular.event_mappings(
                self.explore,
                id_column=validate_name(event.get("id_column"), "id_column"),
                timestamp_column=validate_name(event.get("timestamp_column"), "timestamp_column"),
                timestamp_format=validate_timestamp_format(event.get("timestamp_format")),
            )
        self.log.info("ExperienceEvent mappings: %s", mappings)
        return mappings
