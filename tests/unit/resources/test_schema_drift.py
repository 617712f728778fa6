"""Schema drift, leaf by leaf: what changed, the additive JSON Patch, the next mapping set body."""

from __future__ import annotations

import copy

from airflow_provider_stripe_aep.resources.schema_drift import (
    extended_mapping_set,
    field_drift,
    field_group_add_ops,
    mapping_drift,
)

T = "_acme"


def group(**fields) -> dict:
    return {
        "title": "g",
        "meta:intendedToExtend": ["https://ns.adobe.com/xdm/context/profile"],
        "definitions": {
            "charges": {
                "properties": {
                    T: {
                        "type": "object",
                        "properties": {
                            "charges_data": {"type": "object", "properties": copy.deepcopy(fields)}
                        },
                    }
                }
            }
        },
    }


AMOUNT = {"type": "integer", "minimum": -9007199254740992, "maximum": 9007199254740992}
OUTCOME = {"type": "object", "properties": {"risk_level": {"type": "string"}}}


def test_an_added_leaf_is_additive_and_patched_with_one_add_at_the_documented_path():
    old = group(amount=AMOUNT, outcome=OUTCOME)
    new = group(amount=AMOUNT, outcome=OUTCOME, risk_note={"type": "string"})
    drift = field_drift(old, new)
    assert drift.added == {f"{T}.charges_data.risk_note": "string"} and drift.additive
    assert field_group_add_ops(old, new) == [
        {
            "op": "add",
            "path": f"/definitions/charges/properties/{T}/properties/charges_data/properties/risk_note",
            "value": {"type": "string"},
        }
    ]


def test_a_new_leaf_inside_an_existing_object_and_a_new_object_are_added_where_they_start():
    old = group(outcome=OUTCOME)
    shipping = {"type": "object", "properties": {"city": {"type": "string"}}}
    new = group(
        outcome={"type": "object", "properties": {"risk_level": {"type": "string"}, "score": AMOUNT}},
        shipping=shipping,
    )
    ops = field_group_add_ops(old, new)
    base = f"/definitions/charges/properties/{T}/properties/charges_data/properties"
    assert ops == [
        {"op": "add", "path": f"{base}/outcome/properties/score", "value": AMOUNT},
        {"op": "add", "path": f"{base}/shipping", "value": shipping},
    ]
    assert set(field_drift(old, new).added) == {
        f"{T}.charges_data.outcome.score",
        f"{T}.charges_data.shipping.city",
    }


def test_a_retype_and_a_removal_are_not_additive_and_each_is_named_with_the_rule():
    old = group(amount=AMOUNT, currency={"type": "string"})
    new = group(amount={"type": "string"})
    drift = field_drift(old, new)
    assert not drift.additive
    refusals = drift.refusals()
    assert any("charges_data.amount: type integer -> string" in r and "additive" in r for r in refusals)
    assert any("charges_data.currency: is gone" in r for r in refusals)


def test_a_null_that_becomes_an_object_is_a_leaf_removed_plus_leaves_added():
    old = group(shipping={"type": "string"})
    new = group(shipping={"type": "object", "properties": {"city": {"type": "string"}}})
    drift = field_drift(old, new)
    assert drift.removed == {f"{T}.charges_data.shipping": "string"}
    assert not drift.additive


def test_no_change_no_drift_no_ops():
    old = group(amount=AMOUNT)
    assert field_drift(old, copy.deepcopy(old)).empty
    assert field_group_add_ops(old, copy.deepcopy(old)) == []


def _set(*pairs):
    return {
        "outputSchema": {"schemaRef": {"id": "s"}},
        "mappings": [{"sourceType": "ATTRIBUTE", "source": s, "destination": d} for s, d in pairs],
    }


def test_mapping_drift_and_the_next_version_keep_existing_mappings_first():
    existing = _set(("data.amount", "_acme.charges_data.amount"))
    existing["mappings"][0].update(id="m1", version=0)  # Data Prep's own keys are not sent back
    wanted = _set(
        ("data.amount", "_acme.charges_data.amount"), ("data.risk_note", "_acme.charges_data.risk_note")
    )
    drift = mapping_drift(existing, wanted)
    assert drift.additive and list(drift.added) == ["_acme.charges_data.risk_note"]
    body = extended_mapping_set(existing, wanted)
    assert body["mappings"] == wanted["mappings"]
    assert mapping_drift(body, wanted).empty


def test_a_mapping_that_changes_source_is_not_additive():
    drift = mapping_drift(_set(("data.a", "_acme.x")), _set(("data.b", "_acme.x")))
    assert not drift.additive and "_acme.x" in drift.refusals()[0]
