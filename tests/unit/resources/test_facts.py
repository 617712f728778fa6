"""What defines each resource, read the same way from a request body and from AEP's answer."""

from __future__ import annotations

from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.resources.facts import (
    dataflow_facts,
    field_tree,
    mapping_set_facts,
    schema_facts,
    source_connection_facts,
    target_connection_facts,
)
from airflow_provider_stripe_aep.resources.get_or_create import differences
from airflow_provider_stripe_aep.xdm import inference as xdm

EXPLORE = {
    "schema": {
        "type": "object",
        "properties": {
            "data": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "amount": {"type": "integer"},
                    "card": {"type": "object", "properties": {"last4": {"type": "string"}}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }
        },
    }
}


def test_the_field_tree_lists_every_leaf_under_the_tenant_with_its_type():
    body = xdm.build_field_group(EXPLORE, tenant_id="acme", resource_path="charges", title="t")
    tree = field_tree(body)
    assert tree["_acme.charges_data.id"] == "string"
    assert tree["_acme.charges_data.amount"] == "integer"
    assert tree["_acme.charges_data.card.last4"] == "string"
    assert tree["_acme.charges_data.tags[]"] == "string"
    assert all(path.startswith("_acme.") for path in tree)


def test_formats_maps_and_arrays_of_objects_are_told_apart():
    body = {
        "properties": {
            "_t": {
                "type": "object",
                "properties": {
                    "when": {"type": "string", "format": "date-time"},
                    "meta": {
                        "type": "object",
                        "meta:xdmType": "map",
                        "additionalProperties": {"type": "string"},
                    },
                    "lines": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"n": {"type": "number"}}},
                    },
                },
            },
            "xdm:other": {"type": "string"},
        }
    }
    assert field_tree(body) == {
        "_t.when": "string/date-time",
        "_t.meta": "map<string>",
        "_t.lines[].n": "number",
    }


def test_a_changed_field_type_is_one_named_difference():
    asked = {"fields": {"_t.a": "integer", "_t.b": "string"}}
    existing = {"fields": {"_t.a": "string", "_t.b": "string", "_t.c": "boolean"}}
    assert differences(existing, asked) == [
        "fields._t.a: existing 'string' != asked 'integer'",
        "fields._t.c: existing 'boolean' != asked (absent)",
    ]


def test_schema_class_and_field_groups():
    body = xdm.build_schema("s", class_id=platform.PROFILE_CLASS_ID, field_group_ids=["fg2", "fg1"])
    assert schema_facts(body) == {"meta:class": platform.PROFILE_CLASS_ID, "fieldGroups": ["fg1", "fg2"]}
    stored = {
        "meta:class": platform.PROFILE_CLASS_ID,
        "allOf": [{"$ref": "fg1"}, {"$ref": platform.PROFILE_CLASS_ID}],
    }
    assert schema_facts(stored)["fieldGroups"] == ["fg1"]


def test_source_connection_facts_cover_base_spec_format_and_params():
    facts = source_connection_facts(
        {
            "baseConnectionId": "b1",
            "connectionSpec": {"id": "spec"},
            "data": {"format": "json"},
            "params": {"resourcePath": "charges"},
        }
    )
    assert facts == {
        "baseConnectionId": "b1",
        "connectionSpec.id": "spec",
        "data.format": "json",
        "params": {"resourcePath": "charges"},
    }


def test_a_content_type_with_or_without_a_space_is_the_same_version():
    one = target_connection_facts({"data": {"schema": {"id": "s", "version": "application/x; version=1"}}})
    other = target_connection_facts({"data": {"schema": {"id": "s", "version": "application/x;version=1"}}})
    assert differences(one, other) == []


def test_legacy_and_current_mappings_read_alike():
    current = {
        "outputSchema": {"schemaRef": {"id": "s"}},
        "mappings": [{"source": "data.id", "destination": "_t.id"}],
    }
    legacy = {"xdmSchema": "s", "mappings": [{"sourceAttribute": "data.id", "destinationXdmPath": "_t.id"}]}
    assert mapping_set_facts(current) == mapping_set_facts(legacy)
    assert mapping_set_facts(current)["mappings"] == {"_t.id": "ATTRIBUTE data.id"}


def test_dataflow_facts_leave_out_the_start_time_and_read_the_mapping():
    flow = {
        "flowSpec": {"id": "fs"},
        "sourceConnectionIds": ["s"],
        "targetConnectionIds": ["t"],
        "transformations": [{"name": "Mapping", "params": {"mappingId": "m", "mappingVersion": "0"}}],
        "scheduleParams": {"startTime": "1", "frequency": "minute", "interval": 15},
    }
    later = {**flow, "scheduleParams": {"startTime": "2", "frequency": "minute", "interval": "15"}}
    later["transformations"] = [{"name": "Mapping", "params": {"mappingId": "m", "mappingVersion": 0}}]
    assert differences(dataflow_facts(later), dataflow_facts(flow)) == []
    assert dataflow_facts(flow)["transformations.Mapping.mappingId"] == "m"
    assert dataflow_facts({})["transformations.Mapping.mappingId"] is None
