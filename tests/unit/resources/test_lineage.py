"""Dataset names, schema fields and output statistics for OpenLineage (pure functions)."""

from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.resources.lineage import (
    aep_dataset,
    field_group_fields,
    host_namespace,
    output_statistics,
    stripe_resource_dataset,
    table_dataset,
)
from airflow_provider_stripe_aep.xdm.inference import build_field_group


def test_stripe_resources_follow_the_rest_api_naming_host_and_path():
    assert stripe_resource_dataset("charges").as_dict() == {
        "namespace": "https://api.stripe.com",
        "name": "/v1/charges",
    }
    # a template is placed as is, rendered later with the task's other arguments
    assert stripe_resource_dataset("{{ params.resource_path }}").name == "/v1/{{ params.resource_path }}"


def test_aep_datasets_are_the_catalog_path_on_the_connections_host():
    assert aep_dataset("https://Platform.Adobe.io/", "5c8c3c555033b814b69f947f") == (
        "https://platform.adobe.io",
        "/data/foundation/catalog/dataSets/5c8c3c555033b814b69f947f",
    )
    assert aep_dataset("http://127.0.0.1:8123", "d1").namespace == "http://127.0.0.1:8123"


def test_tables_live_on_their_sources_api_host():
    assert table_dataset("https://api-m.paypal.com", "PayPal.Catalog_Products") == (
        "https://api-m.paypal.com",
        "/PayPal.Catalog_Products",
    )


def test_a_relative_url_is_refused():
    with pytest.raises(ValueError, match="not an absolute URL"):
        host_namespace("platform.adobe.io")


def test_field_group_fields_are_the_xdm_paths_of_its_leaves_with_types():
    body = {
        "definitions": {
            "charges": {
                "properties": {
                    "_tenant": {
                        "type": "object",
                        "properties": {
                            "charges_data": {
                                "type": "object",
                                "properties": {
                                    "amount": {"type": "integer", "examples": [1299]},
                                    "created": {"type": "string", "format": "date-time"},
                                    "refunds": {"type": "array", "items": {"type": "object"}},
                                    "metadata": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "billing": {"type": "object", "properties": {"city": {"type": "string"}}},
                                },
                            }
                        },
                    }
                }
            }
        }
    }
    assert field_group_fields(body) == [
        {"name": "_tenant.charges_data.amount", "type": "integer"},
        {"name": "_tenant.charges_data.created", "type": "string:date-time"},
        {"name": "_tenant.charges_data.refunds", "type": "array"},
        {"name": "_tenant.charges_data.metadata", "type": "object"},
        {"name": "_tenant.charges_data.billing.city", "type": "string"},
    ]
    assert "1299" not in repr(field_group_fields(body))  # schema only, never an example value
    assert field_group_fields({}) == []


def test_fields_of_an_inferred_field_group():
    explore = {
        "format": "hierarchical",
        "schema": {
            "type": "object",
            "properties": {
                "data": {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "amount": {"type": "integer"}},
                }
            },
        },
    }
    body = build_field_group(explore, tenant_id="acme", resource_path="refunds", title="t")
    names = {f["name"] for f in field_group_fields(body)}
    assert {"_acme.refunds_data.id", "_acme.refunds_data.amount"} <= names


def test_output_statistics_are_output_records_and_bytes():
    summary = {"counts": {"inputRecordCount": 100, "outputRecordCount": 99}, "bytes": {"outputBytes": 17128}}
    assert output_statistics(summary) == {"rowCount": 99, "size": 17128}
    assert output_statistics({"counts": {"outputRecordCount": 3}, "bytes": {}}) == {"rowCount": 3}
    assert output_statistics({"counts": {}, "bytes": {}}) is None
