"""What every AEP operator shares: the connection, retry overrides and the conflict policy."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any

from airflow.providers.common.compat.sdk import BaseOperator

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources.get_or_create import ON_CONFLICT_VALUES, OnConflict
from airflow_provider_stripe_aep.utils.failures import fail_fast
from airflow_provider_stripe_aep.validation import validate_choice

FAIL_FAST_METHODS = ("execute", "execute_complete")
"""The methods through which a task does its work (run, and resume after deferral)."""


def _failing_fast(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` with permanent errors turned into AirflowFailException (see `failures.fail_fast`)."""
    if getattr(method, "__aep_fail_fast__", False):
        return method

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        with fail_fast():
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
        what was asked: `fail` (default) or `reuse` it anyway.
    :param retry_overrides: per-task HTTP retry settings (`max_attempts`, `backoff_base`,
        `backoff_max`, `max_retry_after`, `total_timeout`) over the connection's extras.
    """

    template_fields: Sequence[str] = ("aep_conn_id",)
    ui_color = "#fa0f00"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Runs inside BaseOperatorMeta.__new__, after it wrapped `execute` in ExecutorSafeguard:
        # the fail-fast wrapper goes outside and passes the safeguard's sentinel keyword through.
        super().__init_subclass__(**kwargs)
        for name in FAIL_FAST_METHODS:
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "__isabstractmethod__", False):
                setattr(cls, name, _failing_fast(method))

    def __init__(
        self,
        *,
        aep_conn_id: str = AdobeExperiencePlatformHook.default_conn_name,
        on_conflict: OnConflict = "fail",
        retry_overrides: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.aep_conn_id = aep_conn_id
        self.on_conflict: OnConflict = validate_choice(on_conflict, ON_CONFLICT_VALUES, "on_conflict")  # type: ignore[assignment]
        self.retry_overrides = retry_overrides

    @cached_property
    def hook(self) -> AdobeExperiencePlatformHook:
        return AdobeExperiencePlatformHook(self.aep_conn_id, retry_overrides=self.retry_overrides)
