"""What every AEP operator shares: the connection, retry overrides and the conflict policy."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from airflow.providers.common.compat.sdk import BaseOperator

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources.get_or_create import OnConflict
from airflow_provider_stripe_aep.resources.schema_drift import OnSchemaChange
from airflow_provider_stripe_aep.utils.failures import fail_fast
from airflow_provider_stripe_aep.validation import (
    ON_CONFLICT_ALLOWED,
    ON_SCHEMA_CHANGE_ALLOWED,
    validate_choice,
)

FAIL_FAST_METHODS = ("execute", "execute_complete")
"""The methods through which a task does its work (run, and resume after deferral)."""


def _failing_fast(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` with permanent errors turned into AirflowFailException (see `failures.fail_fast`)."""
    if getattr(method, "__aep_fail_fast__", False):
        return method

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with fail_fast():
            self.check_policies()
            return method(self, *args, **kwargs)

    wrapper.__aep_fail_fast__ = True  # type: ignore[attr-defined]
    return wrapper


class AEPBaseOperator(BaseOperator):
    """Base for the AEP operators.

    Every subclass's own `execute` (and `execute_complete`) fails the task without retries on a
    permanent error (bad input, auth, validation, conflict, not found), with no code of its own:
    transient errors (throttling, 5xx, timeouts, ambiguous creates) keep Airflow's retries.

    :param aep_conn_id: connection of type `adobe_experience_platform`.
    :param on_conflict: what to do when a resource with the same name exists but differs from
        what was asked: `fail` (default) or `reuse` it anyway (`update` for a dataflow: change it).
        May be a template such as `{{ params.on_conflict }}`.
    :param on_schema_change: what the schema, mapping set and dataflow steps do when the source
        gained, lost or retyped fields: `fail` (default), `ignore` or `extend` (see
        `resources.schema_drift`). May be a template.
    :param retry_overrides: per-task HTTP retry settings (`max_attempts`, `backoff_base`,
        `backoff_max`, `max_retry_after`, `total_timeout`) over the connection's extras.
    """

    template_fields: Sequence[str] = ("aep_conn_id",)
    ui_color = "#fa0f00"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Runs inside BaseOperatorMeta.__new__, after it wrapped `execute` in ExecutorSafeguard:
        # the fail-fast wrapper goes outside and passes the safeguard's sentinel keyword through.
        super().__init_subclass__(**kwargs)
        if "on_conflict" not in cls.template_fields:  # policies may come from DAG params
            cls.template_fields = (*cls.template_fields, "on_conflict", "on_schema_change")
        for name in FAIL_FAST_METHODS:
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "__isabstractmethod__", False):
                setattr(cls, name, _failing_fast(method))

    def __init__(
        self,
        *,
        aep_conn_id: str = AdobeExperiencePlatformHook.default_conn_name,
        on_conflict: OnConflict | str = "fail",
        on_schema_change: OnSchemaChange | str = "fail",
        retry_overrides: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.aep_conn_id = aep_conn_id
        self.on_conflict: OnConflict = on_conflict  # type: ignore[assignment]
        self.on_schema_change: OnSchemaChange = on_schema_change  # type: ignore[assignment]
        # Both literal: checked when the DAG is parsed; otherwise when the task runs (fail_fast).
        if "{{" not in str(on_conflict) + str(on_schema_change):
            self.check_policies()
        self.retry_overrides = retry_overrides

    def check_policies(self) -> None:
        """`on_conflict` and `on_schema_change` are among their values (after rendering)."""
        self.on_conflict = validate_choice(self.on_conflict, ON_CONFLICT_ALLOWED, "on_conflict")  # type: ignore[assignment]
        self.on_schema_change = validate_choice(  # type: ignore[assignment]
            self.on_schema_change, ON_SCHEMA_CHANGE_ALLOWED, "on_schema_change"
        )

    @cached_property
    def hook(self) -> AdobeExperiencePlatformHook:
        return AdobeExperiencePlatformHook(self.aep_conn_id, retry_overrides=self.retry_overrides)
