"""The dataflow: source + target connection + mapping, on a schedule."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.resources.platform import REST_FLOW_SPEC_ID
from airflow_provider_stripe_aep.utils.openlineage import DataflowLineage
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    optional_value,
    validate_id,
    validate_name,
    validate_schedule,
)

TRANSFORMATIONS_ALLOWED = (
    "must be a list of transformations, each {'name': ..., 'params': {...}} and none named 'Mapping' "
    "(the mapping set is added from mapping_id)"
)


def validate_transformations(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise InvalidInputError("transformations", value, TRANSFORMATIONS_ALLOWED)
    for item in value:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("name"), str)
            or item["name"] in ("", "Mapping")
            or not isinstance(item.get("params"), dict)
        ):
            raise InvalidInputError("transformations", item, TRANSFORMATIONS_ALLOWED)
    return [dict(item) for item in value]


class AEPCreateDataflowOperator(DataflowLineage, AEPBaseOperator):
    """Create (or reuse) a dataflow; returns its ID.

    :param frequency: once, minute, hour, day or week.
    :param interval: required unless `once`; at least 15 for `minute`.
    :param start_time: epoch seconds, datetime or ISO-8601 string; default now.
    :param backfill: ingest all existing data on the first run (AEP's default: true); not with `once`.
    :param flow_spec_id: defaults to the REST flow spec Stripe uses; see `flow_spec_name`.
    :param flow_spec_name: look the flow spec up by name instead (e.g. for a table-based source).
    :param transformations: transformations that come before the `Mapping` one, such as a table
        source's `Copy` with its `deltaColumn` (see `payments.copy_transformation`).
    :param lineage_input, dataset_id, dataset_fields: for OpenLineage, as on `AEPDataflowRunSensor`:
        the dataflow's source and target dataset (docs/lineage.md); none needed.
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
        "transformations",
        "lineage_input",
        "dataset_id",
        "dataset_fields",
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
        transformations: list[dict[str, Any]] | None = None,
        description: str = "",
        lineage_input: dict[str, str] | None = None,
        dataset_id: str | None = None,
        dataset_fields: list[dict[str, str]] | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.lineage_input = lineage_input
        self.dataset_id = dataset_id
        self.dataset_fields = dataset_fields
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
        self.transformations = transformations
        self.description = description

    def execute(self, context: Any) -> str:
        name = validate_name(self.name, "name")
        source_id = validate_id(self.source_connection_id, "source_connection_id")
        target_id = validate_id(self.target_connection_id, "target_connection_id")
        mapping_id = validate_id(self.mapping_id, "mapping_id") if self.mapping_id is not None else None
        schedule = validate_schedule(
            self.frequency,
            optional_value(self.interval),
            optional_value(self.start_time),
            optional_value(self.backfill),
        )
        transformations = validate_transformations(self.transformations)
        if self.flow_spec_id and self.flow_spec_name:
            raise InvalidInputError(
                "flow_spec_name", self.flow_spec_name, "give flow_spec_id or flow_spec_name, not both"
            )
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
            transformations=transformations,
            on_schema_change=self.on_schema_change,
        )
