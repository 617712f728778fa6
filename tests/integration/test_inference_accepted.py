"""For every Stripe resource path, the inferred field group, schema and mapping set are accepted by
the emulator's Schema Registry and Data Prep checks."""

from __future__ import annotations

import json
import re

import pytest
from aep_testing import aep_connection

from airflow_provider_stripe_aep.client import AEPResourceConflictError
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.sources import stripe
from airflow_provider_stripe_aep.xdm import inference as xdm


@pytest.fixture
def hook(aep, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    return AdobeExperiencePlatformHook()


@pytest.mark.parametrize("resource_path", stripe.RESOURCE_PATHS)
@pytest.mark.parametrize("class_id", [platform.PROFILE_CLASS_ID, platform.EXPERIENCE_EVENT_CLASS_ID])
def test_inferred_resources_are_accepted(aep, hook, resource_path, class_id):
    base_id = hook.ensure_base_connection("base", auth_params={"accessToken": "k-123456"})
    explore = hook.explore(base_id, resource_path)
    tenant = hook.tenant_id()
    title = f"{resource_path} {class_id.rsplit('/', 1)[-1]}"
    field_group = xdm.build_field_group(
        explore, tenant_id=tenant, resource_path=resource_path, title=f"{title} fields", class_id=class_id
    )
    field_group_id = hook.ensure_field_group(field_group)
    schema_id = hook.ensure_schema(
        xdm.build_schema(title, class_id=class_id, field_group_ids=[field_group_id])
    )
    mappings = xdm.infer_mappings(explore, tenant_id=tenant, resource_path=resource_path, class_id=class_id)
    assert xdm.check_mappings(mappings, explore=explore, field_group=field_group, tenant_id=tenant) == []
    mapping_id, version = hook.ensure_mapping_set(
        f"{title} mapping", body=xdm.build_mapping_set(schema_id, mappings)
    )
    stored = aep.state.sandbox("prod").mapping_sets[mapping_id]
    assert version == 0 and stored
    validate_calls = [r for r in aep.state.request_log if r["path"].endswith("/mappingSets/validate")]
    assert len(validate_calls) == 1


def test_a_same_named_resource_that_differs_is_reported_or_reused_on_request(aep, hook):
    base_id = hook.ensure_base_connection("base", auth_params={"accessToken": "k-123456"})
    first = hook.ensure_source_connection(
        "src", base_connection_id=base_id, params={"resourcePath": "charges"}
    )
    with pytest.raises(AEPResourceConflictError) as info:
        hook.ensure_source_connection("src", base_connection_id=base_id, params={"resourcePath": "refunds"})
    message = str(info.value)
    assert "params.resourcePath: existing 'charges' != asked 'refunds'" in message
    assert "on_conflict='reuse'" in message
    reused = hook.ensure_source_connection(
        "src", base_connection_id=base_id, params={"resourcePath": "refunds"}, on_conflict="reuse"
    )
    assert reused == first
    assert len(aep.state.sandbox("prod").source_connections) == 1


def test_invalid_mappings_are_reported_by_name_and_nothing_is_created(aep, hook):
    base_id = hook.ensure_base_connection("base", auth_params={"accessToken": "k-123456"})
    explore = hook.explore(base_id, "charges")
    tenant = hook.tenant_id()
    field_group = xdm.build_field_group(explore, tenant_id=tenant, resource_path="charges", title="fg")
    schema_id = hook.ensure_schema(
        xdm.build_schema(
            "s", class_id=platform.PROFILE_CLASS_ID, field_group_ids=[hook.ensure_field_group(field_group)]
        )
    )
    bad = [
        {
            "sourceType": "ATTRIBUTE",
            "source": "data.id",
            "destination": f"_{tenant}.charges_data.no_such_field",
        }
    ]
    with pytest.raises(Exception, match="no_such_field") as info:
        hook.ensure_mapping_set("bad mapping", body=xdm.build_mapping_set(schema_id, bad))
    assert "data.id" in str(info.value)
    assert aep.state.sandbox("prod").mapping_sets == {}


def test_a_dataflow_with_another_schedule_is_reported(aep, hook):
    from aep_testing import onboard

    from airflow_provider_stripe_aep.validation import validate_schedule

    flow_id = onboard(hook)
    assert onboard(hook) == flow_id  # same schedule: reused
    with pytest.raises(
        AEPResourceConflictError,
        match=re.escape("scheduleParams.frequency: existing 'once' != asked 'minute'"),
    ):
        onboard(hook, validate_schedule("minute", 15))
    assert len(aep.state.sandbox("prod").flows) == 1


def test_names_with_filter_syntax_are_still_found_again(aep, hook):
    from aep_testing import onboard

    name = "Acme, Inc * Stripe"
    first = hook.ensure_base_connection(name, auth_params={"accessToken": "k-123456"})
    assert hook.ensure_base_connection(name, auth_params={"accessToken": "k-123456"}) == first
    onboard(hook)  # for a schema to point the dataset at
    schema_id = next(iter(aep.state.sandbox("prod").schemas))
    dataset = hook.ensure_dataset(name, schema_id=schema_id)
    assert hook.ensure_dataset(name, schema_id=schema_id) == dataset
    store = aep.state.sandbox("prod")
    assert [c["name"] for c in store.connections.values()].count(name) == 1
    assert [d["name"] for d in store.datasets.values()].count(name) == 1
