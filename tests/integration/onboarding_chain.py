"""The tutorial's resources created one by one through the hook, with what each was asked; shared by
the conflict and ambiguous-create tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.validation import validate_schedule
from airflow_provider_stripe_aep.xdm import inference as xdm

RESOURCE = "refunds"


@dataclass
class Chain:
    """IDs of one onboarding's resources and the arguments each `ensure_*` call was given."""

    ids: dict[str, Any] = field(default_factory=dict)
    asked: dict[str, dict[str, Any]] = field(default_factory=dict)


def build_chain(hook: AdobeExperiencePlatformHook, prefix: str = "chain") -> Chain:
    chain = Chain()
    ids, asked = chain.ids, chain.asked

    asked["base connection"] = {"name": f"{prefix} base", "auth_params": {"accessToken": "k-123456"}}
    ids["base connection"] = hook.ensure_base_connection(**asked["base connection"])

    asked["source connection"] = {
        "name": f"{prefix} source",
        "base_connection_id": ids["base connection"],
        "params": {"resourcePath": RESOURCE},
    }
    ids["source connection"] = hook.ensure_source_connection(**asked["source connection"])

    explore = hook.explore(ids["base connection"], RESOURCE)
    tenant = hook.tenant_id()
    asked["field group"] = {
        "body": xdm.build_field_group(explore, tenant_id=tenant, resource_path=RESOURCE, title=f"{prefix} fg")
    }
    ids["field group"] = hook.ensure_field_group(**asked["field group"])

    asked["schema"] = {
        "body": xdm.build_schema(
            f"{prefix} schema", class_id=platform.PROFILE_CLASS_ID, field_group_ids=[ids["field group"]]
        )
    }
    ids["schema"] = hook.ensure_schema(**asked["schema"])

    asked["dataset"] = {"name": f"{prefix} dataset", "schema_id": ids["schema"]}
    ids["dataset"] = hook.ensure_dataset(**asked["dataset"])

    asked["target connection"] = {
        "name": f"{prefix} target",
        "schema_id": ids["schema"],
        "dataset_id": ids["dataset"],
    }
    ids["target connection"] = hook.ensure_target_connection(**asked["target connection"])

    mappings = xdm.infer_mappings(explore, tenant_id=tenant, resource_path=RESOURCE)
    asked["mapping set"] = {
        "name": f"{prefix} mapping",
        "body": xdm.build_mapping_set(ids["schema"], mappings),
    }
    ids["mapping set"], ids["mapping version"] = hook.ensure_mapping_set(**asked["mapping set"])

    asked["dataflow"] = {
        "name": f"{prefix} dataflow",
        "source_connection_id": ids["source connection"],
        "target_connection_id": ids["target connection"],
        "mapping_id": ids["mapping set"],
        "mapping_version": ids["mapping version"],
        "schedule_params": validate_schedule("hour", interval=1),
    }
    ids["dataflow"] = hook.ensure_dataflow(**asked["dataflow"])
    return chain


ENSURE_METHOD = {
    "base connection": "ensure_base_connection",
    "source connection": "ensure_source_connection",
    "field group": "ensure_field_group",
    "schema": "ensure_schema",
    "dataset": "ensure_dataset",
    "target connection": "ensure_target_connection",
    "mapping set": "ensure_mapping_set",
    "dataflow": "ensure_dataflow",
}

COLLECTION_PATH = {
    "base connection": "/data/foundation/flowservice/connections",
    "source connection": "/data/foundation/flowservice/sourceConnections",
    "target connection": "/data/foundation/flowservice/targetConnections",
    "field group": "/data/foundation/schemaregistry/tenant/fieldgroups",
    "schema": "/data/foundation/schemaregistry/tenant/schemas",
    "dataset": "/data/foundation/catalog/dataSets",
    "mapping set": "/data/foundation/conversion/mappingSets",
    "dataflow": "/data/foundation/flowservice/flows",
}
"""Where each kind is created (POST) and listed (GET) in the emulator's request log."""

STORE_ATTRIBUTE = {
    "base connection": "connections",
    "source connection": "source_connections",
    "target connection": "target_connections",
    "field group": "fieldgroups",
    "schema": "schemas",
    "dataset": "datasets",
    "mapping set": "mapping_sets",
    "dataflow": "flows",
}
