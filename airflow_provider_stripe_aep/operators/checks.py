"""The first task of an onboarding: check every parameter before any request is sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.providers.common.compat.sdk import AirflowSkipException, BaseOperator

from airflow_provider_stripe_aep.failures import fail_fast
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    optional_value,
    validate_name,
    validate_onboarding_params,
    validate_resource_paths,
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
        "selected",
        "delta_column",
        "mappings",
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
        resource_field: str = "resource_path",
        tables: bool = False,
        selected: Any = None,
        delta_column: Any = None,
        mappings: Any = None,
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
        self.resource_field = resource_field
        self.tables = tables
        self.selected = selected
        self.delta_column = delta_column
        self.mappings = mappings

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
            frequency=self.frequency,
            interval=self.interval,
            start_time=self.start_time,
            backfill=self.backfill,
            class_id=self.class_id,
            poll_interval=self.poll_interval,
            deferrable=self.deferrable,
            resource_field=self.resource_field,
            tables=self.tables,
        )
        if optional_value(self.delta_column) is not None or self.tables:
            checked["delta_column"] = validate_name(self.delta_column, "delta_column")
        mappings = optional_value(self.mappings)
        if mappings is not None:
            if not isinstance(mappings, list) or not mappings:
                raise InvalidInputError("mappings", mappings, "must be a non-empty list of mappings or null")
            from airflow_provider_stripe_aep import xdm  # inference code, loaded where it runs

            checked["mappings"] = len([xdm.normalize_mapping(m) for m in mappings])
        return checked
