"""Data Prep mapping set, inferred from the explore response or given by the user."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.operators.schema import explore_source
from airflow_provider_stripe_aep.resources.platform import PROFILE_CLASS_ID
from airflow_provider_stripe_aep.validation import (
    optional_value,
    validate_class_id,
    validate_id,
    validate_name,
)

if TYPE_CHECKING:  # XDM inference is imported where it runs, not at DAG parse time
    from airflow_provider_stripe_aep.xdm import inference as xdm


class AEPCreateMappingSetOperator(AEPBaseOperator):
    """Validate with Data Prep, then create (or reuse) the mapping set; returns its ID and pushes
    XCom `mapping_version`.

    With no `mappings`, every leaf of the explore schema is mapped from `data.<field>` to
    `_<tenant>.<resource>_data.<field>`, as in Adobe's Stripe tutorial.

    :param name: mapping set name (used to find it again).
    :param schema_id: target schema `$id`.
    :param explore_schema: the explore response (needed unless `mappings` is given).
    :param table_path: for a table-based source, the table explored: its columns are mapped from the
        record root (`Product_Id`) to `_<tenant>.<table>_data.<column>`.
    :param mappings: your own mappings (current `source`/`destination` or legacy
        `sourceAttribute`/`destinationXdmPath` style) instead of the inferred ones.
    :param id_column, timestamp_column, timestamp_format: for a table with `class_id` experienceevent,
        the columns its `_id` and `timestamp` are mapped from, and how the timestamp column writes
        dates (`epoch_seconds`, `epoch_milliseconds` or a date pattern such as `yyyy-MM-dd HH:mm:ss`);
        required then unless `mappings` are given (see `validation.validate_event_columns`).
    :param tenant_id: the org's tenant ID, e.g. the schema task's XCom `tenant_id`; saves a
        `GET /stats` in a fresh task process. Unset (or a rendered `None`): looked up.
    """

    template_fields: Sequence[str] = (
        "aep_conn_id",
        "name",
        "schema_id",
        "explore_schema",
        "resource_path",
        "table_path",
        "class_id",
        "mappings",
        "tenant_id",
        "id_column",
        "timestamp_column",
        "timestamp_format",
    )

    def __init__(
        self,
        *,
        name: str,
        schema_id: str,
        explore_schema: dict[str, Any] | str | None = None,
        resource_path: str = "",
        table_path: str | None = None,
        class_id: str = PROFILE_CLASS_ID,
        mappings: list[dict[str, Any]] | None = None,
        empty_objects: xdm.EmptyObjects = "omit",
        tenant_id: str | None = None,
        id_column: str | None = None,
        timestamp_column: str | None = None,
        timestamp_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.schema_id = schema_id
        self.explore_schema = explore_schema
        self.resource_path = resource_path
        self.table_path = table_path
        self.class_id = class_id
        self.mappings = mappings
        self.empty_objects = empty_objects
        self.tenant_id = tenant_id
        self.id_column = id_column
        self.timestamp_column = timestamp_column
        self.timestamp_format = timestamp_format

    def execute(self, context: Any) -> str:
        from airflow_provider_stripe_aep.xdm import from_explore
        from airflow_provider_stripe_aep.xdm import inference as xdm

        name = validate_name(self.name, "name")
        schema_id = validate_id(self.schema_id, "schema_id", allow_slash=True)
        if self.mappings:
            mappings = [xdm.normalize_mapping(m) for m in self.mappings]
        else:
            explore, resource = explore_source(
                self.explore_schema, self.resource_path, self.table_path, "mappings are given"
            )
            class_id = validate_class_id(self.class_id)
            event_mappings = self._table_event_mappings(class_id) if self.table_path else None
            tenant_id = optional_value(self.tenant_id)
            mappings = from_explore.mappings(
                explore,
                resource=resource,
                table=bool(self.table_path),
                tenant_id=validate_id(tenant_id, "tenant_id").lstrip("_")
                if tenant_id
                else self.hook.tenant_id(),
                class_id=class_id,
                empty_objects=self.empty_objects,
                event_mappings=event_mappings,
            )
        self.log.info("Mapping set %r: %d mappings", name, len(mappings))
        body = xdm.build_mapping_set(schema_id, mappings)
        mapping_id, version = self.hook.ensure_mapping_set(
            name, body=body, on_conflict=self.on_conflict, on_schema_change=self.on_schema_change
        )
        context["ti"].xcom_push(key="mapping_version", value=version)
        return mapping_id

    def _table_event_mappings(self, class_id: str) -> list[dict[str, str]] | None:
        """A table's ExperienceEvent `_id`/`timestamp` mappings, from the columns the user named."""
        from airflow_provider_stripe_aep.xdm import from_explore

        return from_explore.table_event_mappings(
            self.explore_schema,  # type: ignore[arg-type]
            class_id=class_id,
            id_column=self.id_column,
            timestamp_column=self.timestamp_column,
            timestamp_format=self.timestamp_format,
        )
