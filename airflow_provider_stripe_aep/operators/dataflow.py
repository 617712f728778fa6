"""The dataflow: source + target connection + mapping, on a schedule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.stripe import REST_FLOW_SPEC_ID
from airflow_provider_stripe_aep.validation import validate_id, validate_name, validate_schedule


class AEPCreateDataflowOperator(AEPBaseOperator):
    """Create (or reuse) a dataflow; returns its ID.

    :param frequency: once, minute, hour, day or week.
    :param interval: required unless `once`; at least 15 for `minute`.
    :param start_time: epoch seconds, datetime or ISO-8601 string; default now.
    :param backfill: ingest all existing data on the first run (AEP's default: true); not with `once`.
    :param flow_spec_id: defaults to the REST flow spec Stripe uses; see `flow_spec_name`.
    :param flow_spec_name: look the flow spec up by name instead (e.g. for a table-based source).
    """

    template_fields: Sequence[str] = (
        "aep_conn_id",
        "name",
        "description",
        "source_connection_id",
        "target_connection_id",
        "mapping_id",
        "mapping_version",
        "frequency",
        "interval",
        "start_time",
        "backfill",
        "flow_spec_id",
        "flow_spec_name",
    )

    def __init__(
        self,
        *,
        name: str,
        source_connection_id: str,
        target_connection_id: str,
        mapping_id: str | None = None,
        mapping_version: int | str = 0,
        frequency: str = "once",
        interval: int | str | None = None,
        start_time: Any = None,
        backfill: bool | str | None = None,
        flow_spec_id: str | None = None,
        flow_spec_name: str | None = None,
        description: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.source_connection_id = source_connection_id
        self.target_connection_id = target_connection_id
        self.mapping_id = mapping_id
        self.mapping_version = mapping_version
        self.frequency = frequency
        self.interval = interval
        self.start_time = start_time
        self.backfill = backfill
        self.flow_spec_id = flow_spec_id
        self.flow_spec_name = flow_spec_name
        self.description = description

    def execute(self, context: Any) -> str:
        name = validate_name(self.name, "name")
        source_id = validate_id(self.source_connection_id, "source_connection_id")
        target_id = validate_id(self.target_connection_id, "target_connection_id")
        mapping_id = validate_id(self.mapping_id, "mapping_id") if self.mapping_id is not None else None
        schedule = validate_schedule(self.frequency, self.interval, self.start_time, self.backfill)
        if self.flow_spec_id and self.flow_spec_name:
            raise ValueError("Invalid flow_spec_name: give flow_spec_id or flow_spec_name, not both.")
        flow_spec_id = self.flow_spec_id or REST_FLOW_SPEC_ID
        if self.flow_spec_name:
            flow_spec_id = self.hook.flow_spec_id(validate_name(self.flow_spec_name, "flow_spec_name"))
        self.log.info("Dataflow %r schedule: %s", name, schedule)
        return self.hook.ensure_dataflow(
            name,
            source_connection_id=source_id,
            target_connection_id=target_id,
            mapping_id=mapping_id,
            mapping_version=self.mapping_version,
            schedule_params=schedule,
            flow_spec_id=validate_id(flow_spec_id, "flow_spec_id"),
            description=self.description,
            on_conflict=self.on_conflict,
        )
