"""What every AEP operator shares: the connection, retry overrides and the conflict policy."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

from airflow.providers.common.compat.sdk import BaseOperator

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.idempotency import ON_CONFLICT_VALUES, OnConflict
from airflow_provider_stripe_aep.validation import validate_choice


class AEPBaseOperator(BaseOperator):
    """Base for the AEP operators.

    :param aep_conn_id: connection of type `adobe_experience_platform`.
    :param on_conflict: what to do when a resource with the same name exists but differs from
        what was asked: `fail` (default) or `reuse` it anyway.
    :param retry_overrides: per-task HTTP retry settings (`max_attempts`, `backoff_base`,
        `backoff_max`, `max_retry_after`, `total_timeout`) over the connection's extras.
    """

    template_fields: Sequence[str] = ("aep_conn_id",)
    ui_color = "#fa0f00"

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
