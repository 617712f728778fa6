"""Tests for airflow_provider_stripe_aep.xdm.inference against the Stripe tutorial's explore response and
mappings."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_stripe_aep.resources.platform import (
    EXPERIENCE_EVENT_CLASS_ID,
    PROFILE_CLASS_ID,
    XED_FULL_CONTENT_TYPE,
)
from airflow_provider_stripe_aep.validation import InvalidInputError
from airflow_provider_stripe_aep.xdm import inference as xdm

FIXTURES = Path(__file__).parents[2] / "fixtures"
TENANT = "exchangesandboxcharlie"
LONG = {"type": "integer", "minimum": -9007199254740992, "maximum": 9007199254740992}
SEED_OBJECT_SOURCES = {"data.outcome", "data.payment_method_details"}


@pytest.fixture
def explore() -> dict[str, Any]:
    return json.loads((FIXTURES / "seed_charges_explore.json").read_text())


@pytest.fixture
def seed_mappings() -> list[dict[str, str]]:
    raw = json.loads((FIXTURES / "seed_charges_mappings.json").read_text())
    return [
        {
            "sourceAttribute": m["sourceAttribute"],
            "destinationXdmPath": m["destinationXdmPath"].replace("{ORG_ID}", TENANT),
        }
        for m in raw
    ]


def _explore_with(fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": "hierarchical",
        "schema": {"type": "object", "properties": {"data": {"type": "object", "properties": fields}}},
    }


def _tenant_props(field_group: dict[str, Any], resource: str = "charges") -> dict[str, Any]:
    tenant = field_group["definitions"][resource]["properties"][f"_{TENANT}"]
    return tenant["properties"][f"{resource}_data"]["properties"]


def _leaf_destinations(field_group: dict[str, Any], resource: str = "charges") -> set[str]:
    return {f"_{TENANT}.{resource}_data.{p}" for p in xdm.leaf_paths(_tenant_props(field_group, resource))}


# --------------------------------------------------------------------------------------------------
# Seed coverage
# --------------------------------------------------------------------------------------------------


def test_seed_fixtures_have_36_mappings(seed_mappings: list[dict[str, str]]):
    assert len(seed_mappings) == 36
    assert all(m["destinationXdmPath"].startswith(f"_{TENANT}.charges_data.") for m in seed_mappings)


def test_every_seed_mapping_is_covered(explore: dict[str, Any], seed_mappings: list[dict[str, str]]):
    inferred = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    by_source = {m["source"]: m["destination"] for m in inferred}
    assert all(m["sourceType"] == "ATTRIBUTE" for m in inferred)
    leaves = set(xdm.leaf_paths(xdm.explore_data_properties(explore)))
    covered = 0
    for seed in seed_mappings:
        source, destination = seed["sourceAttribute"], seed["destinationXdmPath"]
        if source in SEED_OBJECT_SOURCES:
            under = [s for s in by_source if s.startswith(source + ".")]
            assert under, f"no leaf mapped under {source}"
            expected_leaves = {f"data.{p}" for p in leaves if p.startswith(source[len("data.") :] + ".")}
            typed = {leaf for leaf in expected_leaves if leaf in by_source}
            # An explore leaf the sample leaves untyped (card.wallet: null) but Stripe documents as an
            # object is mapped leaf by leaf from Stripe's types instead of as a whole.
            expanded = {
                leaf for leaf in set(under) - typed if any(leaf.startswith(e + ".") for e in expected_leaves)
            }
            assert set(under) == typed | expanded and expected_leaves - typed == {
                e for e in expected_leaves if any(x.startswith(e + ".") for x in expanded)
            }
            for leaf_source in under:
                assert by_source[leaf_source] == destination + leaf_source[len(source) :]
        else:
            assert source[len("data.") :] in leaves
            assert by_source.get(source) == destination, source
        covered += 1
    assert covered == 36


def test_seed_object_mappings_expand_to_expected_leaves(explore: dict[str, Any]):
    inferred = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    outcome = sorted(m["source"] for m in inferred if m["source"].startswith("data.outcome."))
    assert outcome == [
        "data.outcome.network_status",
        "data.outcome.reason",
        "data.outcome.risk_level",
        "data.outcome.risk_score",
        "data.outcome.seller_message",
        "data.outcome.type",
    ]
    pmd = {
        m["source"]: m["destination"]
        for m in inferred
        if m["source"].startswith("data.payment_method_details.")
    }
    assert pmd["data.payment_method_details.type"] == f"_{TENANT}.charges_data.payment_method_details.type"
    assert (
        pmd["data.payment_method_details.card.checks.cvc_check"]
        == f"_{TENANT}.charges_data.payment_method_details.card.checks.cvc_check"
    )


def test_inferred_mappings_fit_field_group_and_explore(explore: dict[str, Any]):
    fg = xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="Stripe charges")
    inferred = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    assert xdm.check_mappings(inferred, explore=explore, field_group=fg, tenant_id=TENANT) == []
    # and independently of check_mappings: every leaf of the field group is mapped exactly once, by
    # itself; only maps (metadata) and arrays are mapped whole. An object the explore sample did not
    # type (shipping: null) is typed from Stripe's table and mapped leaf by leaf (data.shipping.address
    # .city), the sources lying under the explore node the sample left untyped.
    destinations = {m["destination"] for m in inferred}
    leaf_destinations = _leaf_destinations(fg)
    assert destinations == leaf_destinations
    assert f"_{TENANT}.charges_data.shipping.address.city" in destinations
    assert f"_{TENANT}.charges_data.metadata" in destinations
    assert not {"data.shipping", "data.payment_method_details.card.wallet"} & {m["source"] for m in inferred}
    src_leaves = {f"data.{p}" for p in xdm.leaf_paths(xdm.explore_data_properties(explore))}
    for source in {m["source"] for m in inferred} - src_leaves:
        assert any(source.startswith(leaf + ".") for leaf in src_leaves), source
    assert len({m["destination"] for m in inferred}) == len(inferred)


def test_seed_mappings_pass_check(explore: dict[str, Any], seed_mappings: list[dict[str, str]]):
    fg = xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="Stripe charges")
    assert xdm.check_mappings(seed_mappings, explore=explore, field_group=fg, tenant_id=TENANT) == []


def test_inferred_mappings_are_deterministic(explore: dict[str, Any]):
    first = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    shuffled = copy.deepcopy(explore)
    data = shuffled["schema"]["properties"]["data"]
    items = list(data["properties"].items())
    random.Random(7).shuffle(items)
    data["properties"] = dict(items)
    assert xdm.infer_mappings(shuffled, tenant_id=TENANT, resource_path="charges") == first
    assert [m["source"] for m in first] == sorted(m["source"] for m in first)


# --------------------------------------------------------------------------------------------------
# Type conversion
# --------------------------------------------------------------------------------------------------


def test_integer_becomes_long_with_bounds(explore: dict[str, Any]):
    props = xdm.explore_to_xdm_properties(explore)
    assert explore["schema"]["properties"]["data"]["properties"]["amount"]["maximum"] == 9007199254740991
    assert props["amount"] == {"title": "Amount", **LONG}
    assert props["created"] == {"title": "Created", **LONG}
    card = props["payment_method_details"]["properties"]["card"]["properties"]
    assert card["exp_year"] == {"title": "Exp Year", **LONG}


def test_untyped_fields_take_stripes_documented_type_and_scalars_stay(explore: dict[str, Any]):
    props = xdm.explore_to_xdm_properties(explore, resource_path="charges")
    # null in the sample: an expandable reference is the ID string, an object is an object
    assert props["balance_transaction"] == {"title": "Balance Transaction", "type": "string"}
    assert props["outcome"]["properties"]["reason"] == {"title": "Reason", "type": "string"}
    assert props["application_fee_amount"] == {"title": "Application Fee Amount", **LONG}
    shipping = props["shipping"]
    assert shipping["type"] == "object" and shipping["title"] == "Shipping"
    assert shipping["properties"]["address"]["properties"]["city"] == {"title": "City", "type": "string"}
    assert props["livemode"] == {"title": "Livemode", "type": "boolean"}
    assert props["currency"] == {"title": "Currency", "type": "string"}
    assert props["outcome"]["type"] == "object" and props["outcome"]["title"] == "Outcome"
    extra = _explore_with({"rate": {"type": "number"}, "n": {"type": "null"}, "u": {}})
    assert xdm.explore_to_xdm_properties(extra) == {"rate": {"title": "Rate", "type": "number"}}
    assert xdm.left_out_fields(extra) == ["data.n", "data.u"]
    typed = xdm.explore_to_xdm_properties(extra, types={"n": "integer", "u": "boolean"})
    assert typed["n"] == {"title": "N", **LONG} and typed["u"] == {"title": "U", "type": "boolean"}


def test_empty_objects_take_stripes_type_or_are_omitted_by_default(explore: dict[str, Any]):
    props = xdm.explore_to_xdm_properties(explore, resource_path="charges")
    assert props["metadata"]["meta:xdmType"] == "map"  # Stripe documents metadata as a map of strings
    assert props["metadata"]["additionalProperties"] == {"type": "string"}
    assert set(props["fraud_details"]["properties"]) == {"stripe_report", "user_report"}
    assert props["radar_options"]["properties"]["session"] == {"title": "Session", "type": "string"}
    without_table = xdm.explore_to_xdm_properties(explore, types={})
    for name in ("metadata", "radar_options", "fraud_details"):
        assert name not in without_table
        assert f"data.{name}" in xdm.left_out_fields(explore, types={})
    inferred = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges", types={})
    assert not any(m["source"].startswith("data.metadata") for m in inferred)


def test_empty_objects_as_map(explore: dict[str, Any]):
    props = xdm.explore_to_xdm_properties(explore, empty_objects="map", types={})
    assert props["metadata"] == {
        "title": "Metadata",
        "type": "object",
        "meta:xdmType": "map",
        "additionalProperties": {"type": "string"},
    }
    fg = xdm.build_field_group(
        explore, tenant_id=TENANT, resource_path="charges", title="t", empty_objects="map"
    )
    inferred = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges", empty_objects="map")
    assert {
        "sourceType": "ATTRIBUTE",
        "source": "data.metadata",
        "destination": f"_{TENANT}.charges_data.metadata",
    } in inferred
    assert xdm.check_mappings(inferred, explore=explore, field_group=fg, tenant_id=TENANT) == []
    # an empty object Stripe documents keeps its documented type; only unknown ones become maps
    typed = xdm.explore_to_xdm_properties(explore, empty_objects="map", resource_path="charges")
    assert typed["radar_options"]["properties"]["session"]["type"] == "string"
    assert "data.radar_options" not in xdm.left_out_fields(explore, empty_objects="map", types={})


def test_empty_objects_bad_option(explore: dict[str, Any]):
    with pytest.raises(InvalidInputError) as info:
        xdm.explore_to_xdm_properties(explore, empty_objects="drop")  # type: ignore[arg-type]
    assert info.value.field == "empty_objects"


def test_object_with_only_empty_children_is_empty():
    explore = _explore_with(
        {"outer": {"type": "object", "properties": {"inner": {"type": "object", "properties": {}}}}}
    )
    assert xdm.explore_to_xdm_properties(explore) == {}
    as_map = xdm.explore_to_xdm_properties(explore, empty_objects="map")
    assert as_map["outer"]["properties"]["inner"]["meta:xdmType"] == "map"


def test_arrays():
    explore = _explore_with(
        {
            "tags": {"type": "array", "items": {}},
            "codes": {"type": "array", "items": {"type": "integer"}},
            "lines": {
                "type": "array",
                "items": {"type": "object", "properties": {"qty": {"type": "integer"}}},
            },
            "blobs": {"type": "array", "items": {"type": "object", "properties": {}}},
        }
    )
    props = xdm.explore_to_xdm_properties(explore)
    assert "tags" not in props and "blobs" not in props  # item types unknown: left out, not strings
    assert props["codes"]["items"] == LONG
    assert props["lines"]["items"]["properties"]["qty"] == {"title": "Qty", **LONG}
    assert xdm.left_out_fields(explore) == ["data.blobs", "data.tags"]
    types = {"tags": ["string"], "blobs": [{"n": "integer"}], "codes": ["number"]}
    typed = xdm.explore_to_xdm_properties(explore, types=types)
    assert typed["tags"] == {"title": "Tags", "type": "array", "items": {"type": "string"}}
    assert typed["blobs"]["items"] == {"type": "object", "properties": {"n": {"title": "N", **LONG}}}
    assert typed["codes"]["items"] == {"type": "number"}  # a documented number is never an integer
    mapped = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges", types=types)
    assert [m["source"] for m in mapped] == ["data.blobs", "data.codes", "data.lines", "data.tags"]


def test_unexpected_explore_shape():
    with pytest.raises(xdm.ExploreSchemaError, match="data"):
        xdm.explore_to_xdm_properties(
            {"format": "hierarchical", "schema": {"type": "object", "properties": {}}}
        )


# --------------------------------------------------------------------------------------------------
# Field names
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("amount_captured", "amount_captured"),
        ("exp-year", "exp-year"),
        ("_id", "id"),
        ("__secret", "secret"),
        ("first name", "first_name"),
        ("a.b", "a_b"),
        ("café", "cafe"),
        ("3ds", "f_3ds"),
        ("_1x", "f_1x"),
        ("$$$", "field"),
        ("", "field"),
    ],
)
def test_sanitize_field_name(name: str, expected: str):
    assert xdm.sanitize_field_name(name) == expected
    assert xdm.sanitize_field_name(name) == xdm.sanitize_field_name(name)
    assert xdm.sanitize_field_name(expected) == expected  # idempotent


def test_sanitize_properties_resolves_collisions_deterministically():
    names = ["a b", "a_b", "a.b", "_a_b", "a_b_2", "ok"]
    result = xdm.sanitize_properties(names)
    assert result == {
        "a_b": "a_b",  # already valid: kept
        "a_b_2": "a_b_2",  # already valid: kept, so the suffixes skip it
        "ok": "ok",
        "_a_b": "a_b_3",  # the rest in sorted order: "_a_b" < "a b" < "a.b"
        "a b": "a_b_4",
        "a.b": "a_b_5",
    }
    assert xdm.sanitize_properties(reversed(names)) == result
    assert len(set(result.values())) == len(names)


def test_sanitize_properties_case_insensitive():
    result = xdm.sanitize_properties(["Amount", "amount"])
    assert result == {"Amount": "Amount", "amount": "amount_2"}


def test_sanitized_names_flow_into_mappings():
    explore = _explore_with(
        {
            "a b": {"type": "string"},
            "a_b": {"type": "string"},
            "_id": {"type": "string"},
            "nested obj": {"type": "object", "properties": {"x.y": {"type": "boolean"}}},
        }
    )
    fg = xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="t")
    props = _tenant_props(fg)
    assert set(props) == {"a_b", "a_b_2", "id", "nested_obj"}
    assert props["a_b_2"]["title"] == "A B"
    assert set(props["nested_obj"]["properties"]) == {"x_y"}
    mapped = {
        m["source"]: m["destination"]
        for m in xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    }
    root = f"_{TENANT}.charges_data"
    assert mapped == {
        "data.a b": f"{root}.a_b_2",
        "data.a_b": f"{root}.a_b",
        "data._id": f"{root}.id",
        "data.nested obj.x\\.y": f"{root}.nested_obj.x_y",
    }
    mappings = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    assert xdm.check_mappings(mappings, explore=explore, field_group=fg, tenant_id=TENANT) == []


# --------------------------------------------------------------------------------------------------
# Bodies
# --------------------------------------------------------------------------------------------------


def test_field_group_body(explore: dict[str, Any]):
    fg = xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="Stripe charges")
    assert fg["title"] == "Stripe charges"
    assert fg["type"] == "object"
    assert fg["description"]
    assert fg["meta:intendedToExtend"] == [PROFILE_CLASS_ID]
    assert fg["allOf"] == [{"$ref": "#/definitions/charges"}]
    assert list(fg["definitions"]) == ["charges"]
    tenant = fg["definitions"]["charges"]["properties"]
    assert list(tenant) == [f"_{TENANT}"]
    assert tenant[f"_{TENANT}"]["type"] == "object"
    container = tenant[f"_{TENANT}"]["properties"]["charges_data"]
    assert container["type"] == "object"
    assert container["properties"] == xdm.explore_to_xdm_properties(explore, resource_path="charges")
    assert json.dumps(fg).count('"meta:xdmType"') == 2  # only maps carry it: metadata, source.metadata
    ee = xdm.build_field_group(
        explore,
        tenant_id="_" + TENANT,
        resource_path="charges",
        title="t",
        class_id="experienceevent",
        description="d",
    )
    assert ee["meta:intendedToExtend"] == [EXPERIENCE_EVENT_CLASS_ID]
    assert ee["description"] == "d"
    assert f"_{TENANT}" in ee["definitions"]["charges"]["properties"]  # leading underscore not doubled


@pytest.mark.parametrize(
    "bad", [{"title": ""}, {"tenant_id": None}, {"tenant_id": "None"}, {"class_id": "record"}]
)
def test_field_group_rejects_bad_input(explore: dict[str, Any], bad: dict[str, Any]):
    kwargs: dict[str, Any] = {"tenant_id": TENANT, "resource_path": "charges", "title": "t", **bad}
    with pytest.raises(InvalidInputError) as info:
        xdm.build_field_group(explore, **kwargs)
    assert info.value.field in bad


def test_build_schema_has_exactly_one_class_first():
    fgs = ["https://ns.adobe.com/acme/mixins/1", "https://ns.adobe.com/acme/mixins/2"]
    body = xdm.build_schema("Stripe charges", class_id="profile", field_group_ids=fgs, description="d")
    assert body == {
        "title": "Stripe charges",
        "description": "d",
        "type": "object",
        "allOf": [{"$ref": PROFILE_CLASS_ID}, {"$ref": fgs[0]}, {"$ref": fgs[1]}],
    }
    classes = [r for r in body["allOf"] if r["$ref"] in (PROFILE_CLASS_ID, EXPERIENCE_EVENT_CLASS_ID)]
    assert len(classes) == 1
    ee = xdm.build_schema("x", class_id=EXPERIENCE_EVENT_CLASS_ID, field_group_ids=[])
    assert ee["allOf"] == [{"$ref": EXPERIENCE_EVENT_CLASS_ID}] and "description" not in ee


@pytest.mark.parametrize(
    "field_group_ids",
    [
        [PROFILE_CLASS_ID],
        [EXPERIENCE_EVENT_CLASS_ID],
        ["https://ns.adobe.com/acme/mixins/1", "https://ns.adobe.com/acme/mixins/1"],
        [None],
        "https://ns.adobe.com/acme/mixins/1",
    ],
)
def test_build_schema_rejects_second_class_and_bad_ids(field_group_ids: Any):
    with pytest.raises(InvalidInputError) as info:
        xdm.build_schema("t", class_id="profile", field_group_ids=field_group_ids)
    assert info.value.field == "field_group_ids"


def test_build_mapping_set(explore: dict[str, Any], seed_mappings: list[dict[str, str]]):
    schema_id = f"https://ns.adobe.com/{TENANT}/schemas/5f76be8c"
    inferred = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    body = xdm.build_mapping_set(schema_id, inferred)
    assert body == {
        "outputSchema": {"schemaRef": {"id": schema_id, "contentType": XED_FULL_CONTENT_TYPE}},
        "mappings": inferred,
    }
    named = xdm.build_mapping_set(schema_id, seed_mappings[:1], name="Stripe charges mapping")
    assert named["name"] == "Stripe charges mapping"
    assert named["mappings"] == [
        {"sourceType": "ATTRIBUTE", "source": "data.id", "destination": f"_{TENANT}.charges_data.id"}
    ]
    with pytest.raises(InvalidInputError) as info:
        xdm.build_mapping_set(schema_id, [])
    assert info.value.field == "mappings"
    with pytest.raises(InvalidInputError) as info:
        xdm.build_mapping_set(None, inferred)  # type: ignore[arg-type]
    assert info.value.field == "schema_id"


def test_normalize_mapping():
    legacy = {
        "sourceAttribute": "data.id",
        "destinationXdmPath": "_t.charges_data.id",
        "identity": False,
        "version": 0,
    }
    assert xdm.normalize_mapping(legacy) == {
        "sourceType": "ATTRIBUTE",
        "source": "data.id",
        "destination": "_t.charges_data.id",
    }
    current = {
        "sourceType": "EXPRESSION",
        "source": "lower(data.currency)",
        "destination": "_t.c",
        "name": "c",
    }
    assert xdm.normalize_mapping(current) == current
    assert xdm.normalize_mapping({"source": "data.id", "destination": "_t.x"})["sourceType"] == "ATTRIBUTE"
    with pytest.raises(InvalidInputError):
        xdm.normalize_mapping({"source": "data.id"})
    with pytest.raises(InvalidInputError) as info:
        xdm.normalize_mapping({"sourceType": "COLUMN", "source": "a", "destination": "b"})
    assert info.value.field == "sourceType"


# --------------------------------------------------------------------------------------------------
# ExperienceEvent and checks
# --------------------------------------------------------------------------------------------------


def test_experience_event_mappings(explore: dict[str, Any]):
    mappings = xdm.infer_mappings(
        explore, tenant_id=TENANT, resource_path="charges", class_id="experienceevent"
    )
    assert mappings[0] == {"sourceType": "ATTRIBUTE", "source": "data.id", "destination": "_id"}
    assert mappings[1]["sourceType"] == "EXPRESSION"
    assert mappings[1]["destination"] == "timestamp"
    assert mappings[1]["source"] == xdm.EE_TIMESTAMP_EXPRESSION
    assert "dformat(data.created * 1000" in mappings[1]["source"]
    profile = xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")
    assert mappings[2:] == profile
    assert not any(m["destination"] in ("_id", "timestamp") for m in profile)
    fg = xdm.build_field_group(
        explore, tenant_id=TENANT, resource_path="charges", title="t", class_id=EXPERIENCE_EVENT_CLASS_ID
    )
    assert xdm.check_mappings(mappings, explore=explore, field_group=fg, tenant_id=TENANT) == []
    profile_fg = xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="t")
    problems = xdm.check_mappings(mappings, explore=explore, field_group=profile_fg, tenant_id=TENANT)
    assert len(problems) == 2 and all("does not exist in the field group" in p for p in problems)


@pytest.mark.parametrize("missing", ["id", "created"])
def test_experience_event_needs_id_and_created(explore: dict[str, Any], missing: str):
    del explore["schema"]["properties"]["data"]["properties"][missing]
    with pytest.raises(
        xdm.ExploreSchemaError, match=rf"ExperienceEvent.*data\.{missing}.*supply the mappings"
    ):
        xdm.infer_mappings(
            explore, tenant_id=TENANT, resource_path="charges", class_id=EXPERIENCE_EVENT_CLASS_ID
        )
    assert xdm.infer_mappings(explore, tenant_id=TENANT, resource_path="charges")  # Profile still works


def test_check_mappings_reports_problems(explore: dict[str, Any]):
    fg = xdm.build_field_group(explore, tenant_id=TENANT, resource_path="charges", title="t")
    root = f"_{TENANT}.charges_data"
    mappings: list[Any] = [
        {"source": "data.nope", "destination": f"{root}.amount"},
        {"source": "data.amount", "destination": f"{root}.nope"},
        {"sourceAttribute": "id", "destinationXdmPath": f"{root}.id"},
        {"source": "data.currency", "destination": f"{root}.currency"},
        {"source": "data.object", "destination": f"{root}.currency"},
        {"source": "data.outcome", "destination": f"{root}.status"},
        {"sourceType": "EXPRESSION", "source": "lower(data.missing_field)", "destination": f"{root}.status"},
        {"source": "data.id", "destination": "_id"},
        {"source": "data.id", "destination": "_other.charges_data.id"},
        {"source": "data.destination", "destination": f"{root}.destination"},
        {"destination": f"{root}.paid"},
        {"sourceType": "STATIC", "source": "x", "destination": f"{root}.paid"},
    ]
    problems = xdm.check_mappings(mappings, explore=explore, field_group=fg, tenant_id=TENANT)
    text = "\n".join(problems)
    assert "mapping #0: source 'data.nope' does not exist in the explore schema" in text
    assert f"mapping #1: destination '{root}.nope' does not exist in the field group" in text
    assert "mapping #2: source 'id' does not start with 'data.'" in text
    assert f"mapping #4: destination '{root}.currency' is mapped more than once" in text
    assert "mapping #5: source 'data.outcome' is an object but destination" in text
    assert "mapping #6: source 'data.missing_field' does not exist" in text
    assert "mapping #7: destination '_id' does not exist in the field group" in text  # Profile class
    assert "mapping #8: destination '_other.charges_data.id'" in text
    assert f"mapping #9: destination '{root}.destination' does not exist" in text  # left out: untyped
    assert "mapping #10: Invalid mappings" in text
    assert not any(p.startswith(("mapping #3:", "mapping #11:")) for p in problems)
    assert f"mapping #6: destination '{root}.status' is mapped more than once" in text
    assert len(problems) == 11


def test_leaf_paths():
    props = {
        "a": {"type": "string"},
        "o": {
            "type": "object",
            "properties": {"b": {"type": "integer"}, "e": {"type": "object", "properties": {}}},
        },
        "m": {"type": "object", "meta:xdmType": "map", "additionalProperties": {"type": "string"}},
        "arr": {"type": "array", "items": {"type": "object", "properties": {"x": {}}}},
    }
    assert xdm.leaf_paths(props) == ["a", "arr", "m", "o.b", "o.e"]
