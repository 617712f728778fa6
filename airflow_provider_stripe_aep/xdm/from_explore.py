"""The field group and the mappings an onboarding builds from an explore response: of a Stripe
resource path, or of a table (``table=True``: the flat columns of a table-based source).

The schema and mapping steps build them with these, and so does the plan, so that what a plan shows
is what the run sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_stripe_aep.resources.platform import PROFILE_CLASS_ID
from airflow_provider_stripe_aep.validation import validate_event_columns
from airflow_provider_stripe_aep.xdm import tables
from airflow_provider_stripe_aep.xdm.inference import EmptyObjects, build_field_group, infer_mappings


def field_group(
    explore: Mapping[str, Any],
    *,
    resource: str,
    table: bool,
    tenant_id: str,
    title: str,
    class_id: str = PROFILE_CLASS_ID,
    empty_objects: EmptyObjects = "omit",
) -> dict[str, Any]:
    """The ``POST /tenant/fieldgroups`` body for the source's fields."""
    source = "table" if table else "Stripe"
    return build_field_group(
        tables.as_hierarchical(explore) if table else explore,
        tenant_id=tenant_id,
        resource_path=resource,
        title=title,
        class_id=class_id,
        description=f"{source} {resource} fields, generated from the Flow Service explore schema.",
        empty_objects=empty_objects,
    )


def mappings(
    explore: Mapping[str, Any],
    *,
    resource: str,
    table: bool,
    tenant_id: str,
    class_id: str = PROFILE_CLASS_ID,
    empty_objects: EmptyObjects = "omit",
    event_mappings: Sequence[Mapping[str, str]] | None = None,
) -> list[dict[str, str]]:
    """One Data Prep mapping per leaf field; for a table, ``event_mappings`` (`tables.event_mappings`)
    are its ExperienceEvent `_id`/`timestamp`."""
    if not table:
        return infer_mappings(
            explore,
            tenant_id=tenant_id,
            resource_path=resource,
            class_id=class_id,
            empty_objects=empty_objects,
        )
    inferred = infer_mappings(
        tables.as_hierarchical(explore),
        tenant_id=tenant_id,
        resource_path=resource,
        class_id=class_id,
        empty_objects=empty_objects,
        event_mappings=event_mappings,
    )
    return tables.table_mappings(inferred)


def table_event_mappings(
    explore: Mapping[str, Any], *, class_id: str, id_column: Any, timestamp_column: Any, timestamp_format: Any
) -> list[dict[str, str]] | None:
    """A table's ExperienceEvent `_id`/`timestamp` mappings from the columns the user named (checked
    against the table's columns), or None when the class or given mappings do not need them."""
    columns = validate_event_columns(
        class_id=class_id,
        mappings=None,
        id_column=id_column,
        timestamp_column=timestamp_column,
        timestamp_format=timestamp_format,
    )
    return tables.event_mappings(explore, **columns) if columns else None
