"""For each of the six Stripe resources, the inferred field group and mappings carry the types Stripe
documents (the packaged table), never a string for a documented object or array, and report what they
leave out. The explore samples are the emulator's fixtures (what explore returns for each path)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_stripe_aep.resources.platform import EXPERIENCE_EVENT_CLASS_ID
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS
from airflow_provider_stripe_aep.xdm import inference as xdm
from airflow_provider_stripe_aep.xdm import stripe_types

EXPLORE_FIXTURES = Path(xdm.__file__).parents[1] / "emulator" / "data"
TENANT = "acme"


def _explore(resource: str) -> dict[str, Any]:
    return json.loads((EXPLORE_FIXTURES / f"explore_{resource}.json").read_text())


def _split(path: str) -> tuple[str, ...]:
    """``data.a.b\\.c`` → ``("a", "b.c")`` (Data Prep escapes dots inside names)."""
    parts = [p.replace("\x00", ".") for p in path.replace("\\.", "\x00").split(".")]
    assert parts[0] == "data", path
    return tuple(parts[1:])


def _node(props: dict[str, Any], segments: tuple[str, ...]) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "object", "properties": props}
    for segment in segments:
        node = node["properties"][segment]
    return node


def _sample_node(props: dict[str, Any], segments: tuple[str, ...]) -> dict[str, Any]:
    """The explore node of a source path, or the untyped node (``{}``, an empty object) it lies under."""
    node: dict[str, Any] = {"type": "object", "properties": props}
    for segment in segments:
        if _json_type(node) is None or node.get("properties") == {}:
            return node
        node = node["properties"][segment]
    return node


def _container(field_group: dict[str, Any], resource: str) -> dict[str, Any]:
    tenant = field_group["definitions"][resource]["properties"][f"_{TENANT}"]
    return tenant["properties"][f"{resource}_data"]["properties"]


def _json_type(node: dict[str, Any]) -> str | None:
    kind = node.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return None if kind in (None, "null") else kind


def _mismatches(xdm_node: dict[str, Any], documented: Any, where: str) -> list[str]:
    """Where an XDM field differs from the type Stripe documents (its subfields must be documented)."""
    kind = stripe_types.type_kind(documented)
    found = xdm_node.get("type")
    if kind == "map":
        value = stripe_types.MAP_TYPES[documented]
        ok = xdm_node.get("meta:xdmType") == "map" and xdm_node["additionalProperties"] == {"type": value}
        return [] if ok else [f"{where}: {xdm_node} is not a map of {value}"]
    if kind == "object":
        if found != "object" or "properties" not in xdm_node:
            return [f"{where}: Stripe documents an object, the field group has {found}"]
        problems = []
        for name, sub in xdm_node["properties"].items():
            if name not in documented:
                problems.append(f"{where}.{name}: not documented by Stripe")
            else:
                problems += _mismatches(sub, documented[name], f"{where}.{name}")
        return problems
    if kind == "array":
        if found != "array":
            return [f"{where}: Stripe documents an array, the field group has {found}"]
        return _mismatches(xdm_node["items"], documented[0], f"{where}[]")
    if found != kind:
        return [f"{where}: Stripe documents {kind}, the field group has {found}"]
    if kind == "integer" and (xdm_node["minimum"], xdm_node["maximum"]) != (xdm.LONG_MIN, xdm.LONG_MAX):
        return [f"{where}: an integer must be an XDM long"]
    return []


@pytest.mark.parametrize("resource", RESOURCE_PATHS)
def test_every_mapped_field_has_the_type_stripe_documents(resource: str):
    explore = _explore(resource)
    documented_types = stripe_types.resource_types(resource)
    assert documented_types, f"the table has no types for {resource}"
    field_group = xdm.build_field_group(explore, tenant_id=TENANT, resource_path=resource, title="t")
    mappings = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path=resource)
    container = _container(field_group, resource)
    explore_props = xdm.explore_data_properties(explore)
    problems: list[str] = []
    from_table = 0
    for mapping in mappings:
        segments = _split(mapping["source"])
        prefix = f"_{TENANT}.{resource}_data."
        assert mapping["destination"].startswith(prefix)
        target = _node(container, _split("data." + mapping["destination"][len(prefix) :]))
        documented = stripe_types.type_at(documented_types, segments)
        sample = _sample_node(explore_props, segments)
        if documented is not None:
            problems += _mismatches(target, documented, mapping["source"])
            from_table += _json_type(sample) is None or sample.get("properties") == {}
        else:  # Stripe does not document it (any longer): typed by the sample itself, never guessed
            sample_type = _json_type(sample)
            assert sample_type is not None, f"{mapping['source']} is mapped with no type at all"
            assert target["type"] == sample_type, mapping["source"]
    assert problems == []
    assert from_table > 0  # the fixtures leave fields untyped that the table types


@pytest.mark.parametrize("resource", RESOURCE_PATHS)
def test_no_documented_object_or_array_is_mapped_as_a_string(resource: str):
    explore = _explore(resource)
    documented_types = stripe_types.resource_types(resource)
    field_group = xdm.build_field_group(explore, tenant_id=TENANT, resource_path=resource, title="t")
    container = _container(field_group, resource)
    checked = 0
    for path in xdm.leaf_paths(container):
        segments = tuple(path.split("."))
        documented = stripe_types.type_at(documented_types, segments)
        if stripe_types.type_kind(documented) in ("object", "array", "map"):
            assert _node(container, segments)["type"] in ("object", "array"), path
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("resource", RESOURCE_PATHS)
def test_every_explore_field_is_mapped_or_reported(resource: str):
    explore = _explore(resource)
    mappings = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path=resource)
    left_out = xdm.left_out_fields(explore, resource_path=resource)
    assert left_out == sorted(set(left_out))
    sources = {m["source"] for m in mappings}
    for leaf in xdm.leaf_paths(xdm.explore_data_properties(explore)):
        path = f"data.{leaf}"
        mapped = path in sources or any(s.startswith(path + ".") for s in sources)
        reported = path in left_out or any(r.startswith(path + ".") for r in left_out)
        assert mapped or reported, path
    for path in left_out:  # nothing reported is mapped by its own path
        assert path not in sources


def test_the_fields_named_in_the_issue_are_objects_typed_from_stripe():
    explore = _explore("charges")
    mappings = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    props = xdm.explore_to_xdm_properties(explore, resource_path="charges")
    card = props["payment_method_details"]["properties"]["card"]["properties"]
    for name, node in [
        ("shipping", props["shipping"]),
        ("transfer_data", props["transfer_data"]),
        ("source", props["source"]),
        ("payment_method_details.card.wallet", card["wallet"]),
        ("payment_method_details.card.three_d_secure", card["three_d_secure"]),
        ("payment_method_details.card.installments", card["installments"]),
    ]:
        assert node["type"] == "object" and node["properties"], name
        by_source = {m["source"]: m["destination"] for m in mappings}
        assert f"data.{name}" not in by_source  # no longer mapped as one value
        leaves = xdm.leaf_paths(node["properties"])
        assert leaves, name
        for leaf in leaves:  # each leaf, to the XDM leaf of the same path and its documented type
            assert by_source[f"data.{name}.{leaf}"] == f"_{TENANT}.charges_data.{name}.{leaf}"
    assert props["shipping"]["properties"]["address"]["properties"]["city"] == {
        "title": "City",
        "type": "string",
    }
    assert props["transfer_data"]["properties"]["amount"]["type"] == "integer"
    # source is Account, BankAccount, Card or Source: the fields they all have
    assert set(props["source"]["properties"]) == {"id", "metadata", "object"}
    assert set(card["installments"]["properties"]["plan"]["properties"]) == {"count", "interval", "type"}


def test_fields_stripe_no_longer_documents_are_reported_not_guessed():
    charges = xdm.left_out_fields(_explore("charges"), resource_path="charges")
    assert {"data.destination", "data.dispute", "data.invoice", "data.order"} <= set(charges)
    # empty hashes Stripe documents without fields: inside an object mapped whole, reported all the same
    assert "data.payment_method_details.card.wallet.apple_pay" in charges
    subscriptions = xdm.left_out_fields(_explore("subscriptions"), resource_path="subscriptions")
    assert "data.discount" in subscriptions
    props = xdm.explore_to_xdm_properties(_explore("subscriptions"), resource_path="subscriptions")
    assert "discount" not in props
    # typed in the sample though gone from Stripe's current types: the sample decides
    assert props["plan"]["properties"]["amount"]["type"] == "integer"
    assert props["current_period_end"]["type"] == "integer"


def test_a_whole_number_sample_of_a_documented_number_is_a_number():
    explore = {
        "schema": {
            "type": "object",
            "properties": {
                "data": {
                    "type": "object",
                    "properties": {
                        "rate": {"type": "integer"},
                        "count": {"type": "integer"},
                        "name": {"type": "string"},
                    },
                }
            },
        }
    }
    types = {"rate": "number", "count": "integer", "name": "integer"}
    props = xdm.explore_to_xdm_properties(explore, types=types)
    assert props["rate"] == {"title": "Rate", "type": "number"}
    assert props["count"]["type"] == "integer"
    assert props["name"]["type"] == "string"  # any other disagreement: the sample is what explore reads


def test_a_documented_map_stays_a_map_whatever_keys_the_sample_has():
    explore = {
        "schema": {
            "type": "object",
            "properties": {
                "data": {
                    "type": "object",
                    "properties": {
                        "metadata": {"type": "object", "properties": {"order_id": {"type": "string"}}},
                        "id": {"type": "string"},
                    },
                }
            },
        }
    }
    fg = xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="t")
    metadata = _container(fg, "charges")["metadata"]
    assert metadata["meta:xdmType"] == "map" and "properties" not in metadata
    mappings = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    assert [m["source"] for m in mappings] == ["data.id", "data.metadata"]
    assert xdm.check_mappings(mappings, explore=explore, field_group=fg, tenant_id=TENANT) == []


def test_left_out_fields_are_logged(caplog: pytest.LogCaptureFixture):
    explore = _explore("charges")
    with caplog.at_level(logging.WARNING, logger="airflow_provider_stripe_aep.xdm.inference"):
        xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="t")
        xdm.infer_mappings(
            explore, tenant_id=TENANT, resource_path="charges", class_id=EXPERIENCE_EVENT_CLASS_ID
        )
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2
    left_out = xdm.left_out_fields(explore, resource_path="charges")
    assert all(", ".join(left_out) in m and "Stripe charges" in m for m in messages)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="airflow_provider_stripe_aep.xdm.inference"):
        xdm.build_field_group(
            explore, tenant_id=TENANT, resource_path="charges", title="t", types={"id": "string"}
        )
    assert "data.shipping" in caplog.records[0].getMessage()  # no table: shipping cannot be typed


def test_check_mappings_lets_an_untyped_source_fill_an_object_but_not_a_typed_leaf():
    explore = _explore("charges")
    fg = xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="t")
    root = f"_{TENANT}.charges_data"
    mappings = [
        {"source": "data.shipping", "destination": f"{root}.shipping"},  # {} in explore → object
        {"source": "data.amount", "destination": f"{root}.transfer_data"},  # integer → object
        {"source": "data.outcome", "destination": f"{root}.metadata"},  # object → map: both objects
    ]
    problems = xdm.check_mappings(mappings, explore=explore, field_group=fg, tenant_id=TENANT)
    assert problems == [
        f"mapping #1: source 'data.amount' is a leaf but destination '{root}.transfer_data' is an object"
    ]


def test_an_invalid_types_argument_is_refused_by_name():
    with pytest.raises(xdm.InvalidInputError) as info:
        xdm.explore_to_xdm_properties(_explore("charges"), types=["string"])  # type: ignore[arg-type]
    assert info.value.field == "types"
