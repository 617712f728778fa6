"""Target XDM schema (field group + schema), inferred from the explore response, and its dataset."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.resources.lineage import field_group_fields
from airflow_provider_stripe_aep.resources.platform import PROFILE_CLASS_ID
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    validate_class_id,
    validate_id,
    validate_name,
    validate_resource_path,
    validate_table_path,
)

XDM_FIELDS_XCOM_KEY = "xdm_fields"
"""XCom key of the target field group's fields (`[{name, type}]`, schema only), for lineage."""

if TYPE_CHECKING:  # XDM inference is imported where it runs, not at DAG parse time
    from airflow_provider_stripe_aep.xdm import inference as xdm


def explore_source(
    explore: Any, resource_path: Any, table_path: Any, needed_unless: str
) -> tuple[dict[str, Any], str]:
    """The explore response, checked, and the resource it describes: a Stripe resource path, or a
    table of a table-based source (its columns checked here, before any request)."""
    if not isinstance(explore, dict):
        raise InvalidInputError(
            "explore_schema",
            type(explore).__name__,
            f"must be the explore response (a dict from the explore task's XCom) unless {needed_unless}",
        )
    if table_path:
        from airflow_provider_stripe_aep.xdm import tables as tabular

        tabular.table_columns(explore)
        return explore, validate_table_path(table_path)
    return explore, validate_resource_path(resource_path)


class AEPCreateTargetSchemaOperator(AEPBaseOperator):
    """Create (or reuse) the target XDM schema for one Stripe resource path; returns the schema `$id`.

    By default the explore response becomes a custom field group under `_<tenant>.<resource>_data`,
    and the schema joins it to `class_id`. Also pushes XCom `field_group_id`, `tenant_id` and
    `xdm_fields` (the field group's fields, `[{name, type}]`, for OpenLineage's schema facet).

    :param title: schema title (unique in the sandbox); the field group is titled `<title> fields`.
    :param explore_schema: the explore response (XCom of the explore task).
    :param resource_path: the Stripe resource path.
    :param table_path: for a table-based source, the table explored instead (e.g.
        `PayPal.Catalog_Products`): its columns become the fields.
    :param class_id: `profile` (default), `experienceevent`, or a class `$id`.
    :param field_group: a ready field group body to use instead of the inferred one.
    :param field_group_ids: extra field groups (`$id`s) to add to the schema.
    :param schema_id: an existing schema to use: nothing is created and it is returned.
    :param empty_objects: `omit` (default) or `map` - what Stripe's empty objects such as `metadata` become.
    """

    template_fields: Sequence[str] = (
        "aep_conn_id",
        "title",
        "description",
        "explore_schema",
        "resource_path",
        "table_path",
        "class_id",
        "schema_id",
    )

    def __init__(
        self,
        *,
        title: str,
        explore_schema: dict[str, Any] | str | None = None,
        resource_path: str = "",
        table_path: str | None = None,
        class_id: str = PROFILE_CLASS_ID,
        field_group: dict[str, Any] | None = None,
        field_group_ids: Sequence[str] = (),
        schema_id: str | None = None,
        empty_objects: xdm.EmptyObjects = "omit",
        description: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = title
        self.explore_schema = explore_schema
        self.resource_path = resource_path
        self.table_path = table_path
        self.class_id = class_id
        self.field_group = field_group
        self.field_group_ids = list(field_group_ids)
        self.schema_id = schema_id
        self.empty_objects = empty_objects
        self.description = description

    def execute(self, context: Any) -> str:
        from airflow_provider_stripe_aep.xdm import from_explore
        from airflow_provider_stripe_aep.xdm import inference as xdm

        if self.schema_id:
            schema_id = validate_id(self.schema_id, "schema_id", allow_slash=True)
            self.log.info("Using the given schema %s; nothing to create", schema_id)
            return schema_id
        title = validate_name(self.title, "title")
        class_id = validate_class_id(self.class_id)
        extra_groups = [validate_id(g, "field_group_ids", allow_slash=True) for g in self.field_group_ids]
        body = self.field_group
        if body is None:
            explore, resource = explore_source(
                self.explore_schema, self.resource_path, self.table_path, "field_group or schema_id is given"
            )
            body = from_explore.field_group(
                explore,
                resource=resource,
                table=bool(self.table_path),
                tenant_id=self.hook.tenant_id(),
                title=f"{title} fields",
                class_id=class_id,
                empty_objects=self.empty_objects,
            )
        field_group_id = self.hook.ensure_field_group(
            body, on_conflict=self.on_conflict, on_schema_change=self.on_schema_change
        )
        schema_body = xdm.build_schema(
            title,
            class_id=class_id,
            field_group_ids=[field_group_id, *extra_groups],
            description=self.description or None,
        )
        schema_id = self.hook.ensure_schema(schema_body, on_conflict=self.on_conflict)
        context["ti"].xcom_push(key="field_group_id", value=field_group_id)
        context["ti"].xcom_push(key="tenant_id", value=self.hook.tenant_id())
        context["ti"].xcom_push(key=XDM_FIELDS_XCOM_KEY, value=field_group_fields(body))
        return schema_id


class AEPCreateDatasetOperator(AEPBaseOperator):
    """Create (or reuse) the Catalog dataset for the schema (`requestDataSource=true`); returns its ID."""

    template_fields: Sequence[str] = ("aep_conn_id", "name", "description", "schema_id")

    def __init__(self, *, name: str, schema_id: str, description: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.schema_id = schema_id
        self.description = description

    def execute(self, context: Any) -> str:
        return self.hook.ensure_dataset(
            validate_name(self.name, "name"),
            schema_id=validate_id(self.schema_id, "schema_id", allow_slash=True),
            description=self.description,
            on_conflict=self.on_conflict,
        )


class AEPFindDatasetOperator(AEPBaseOperator):
    """Find an onboarded target dataset by name; returns its ID. With `field_group_title`, also
    pushes XCom `xdm_fields`, the fields of that field group (as `AEPCreateTargetSchemaOperator`
    does), so a later run task can report the dataset and its schema to OpenLineage. Read-only:
    one Catalog list call, and two Schema Registry calls for the field group.

    :param name: the dataset's name (e.g. `naming.onboarding_names(...).dataset`).
    :param field_group_title: the title of its field group (`naming.onboarding_names(...).field_group`).
    """

    template_fields: Sequence[str] = ("aep_conn_id", "name", "field_group_title")

    def __init__(self, *, name: str, field_group_title: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.field_group_title = field_group_title

    def execute(self, context: Any) -> str:
        name = validate_name(self.name, "name")
        title = validate_name(self.field_group_title, "field_group_title") if self.field_group_title else None
        dataset_id = self.hook.find_dataset_id(name)
        if title:
            field_group = self.hook.find_field_group(title)
            if field_group is None:
                self.log.warning("No field group titled %r: the dataset's fields stay unknown", title)
            fields = field_group_fields(field_group) if field_group else []
            context["ti"].xcom_push(key=XDM_FIELDS_XCOM_KEY, value=fields)
        return dataset_id
