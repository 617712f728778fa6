"""The onboarding plan (pure): create / keep / update / conflict / refused, and the planned writes."""

from __future__ import annotations

from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.resources.naming import onboarding_names
from airflow_provider_stripe_aep.resources.plan import Observed, Wanted, plan_onboarding, render
from airflow_provider_stripe_aep.sources import stripe

NAMES = onboarding_names("Shop", "charges")
NOW = 1_800_000_000
T = "_acme"


def group(**fields) -> dict:
    return {
        "$id": "fg",
        "title": NAMES.field_group,
        "meta:intendedToExtend": [platform.PROFILE_CLASS_ID],
        "definitions": {
            "charges": {
                "properties": {
                    T: {
                        "type": "object",
                        "properties": {"charges_data": {"type": "object", "properties": fields}},
                    }
                }
            }
        },
    }


MAPPINGS = [{"sourceType": "ATTRIBUTE", "source": "data.id", "destination": f"{T}.charges_data.id"}]
ONCE = {"startTime": "1700000000", "frequency": "once"}


def existing() -> Observed:
    return Observed(
        base_connection={
            "id": "b",
            "connectionSpec": {"id": stripe.STRIPE_CONNECTION_SPEC_ID},
            "auth": {"specName": stripe.STRIPE_AUTH_SPEC_NAME},
        },
        source_connection={
            "id": "s",
            "baseConnectionId": "b",
            "connectionSpec": {"id": stripe.STRIPE_CONNECTION_SPEC_ID},
            "data": {"format": "json"},
            "params": {"resourcePath": "charges"},
        },
        explore={"schema": {}},
        tenant_id="acme",
        field_group=group(id={"type": "string"}),
        schema={
            "$id": "sc",
            "meta:class": platform.PROFILE_CLASS_ID,
            "allOf": [{"$ref": platform.PROFILE_CLASS_ID}, {"$ref": "fg"}],
        },
        dataset={"id": "d", "schemaRef": {"id": "sc"}},
        target_connection={
            "id": "t",
            "data": {"schema": {"id": "sc", "version": platform.XED_FULL_CONTENT_TYPE}},
            "params": {"dataSetId": "d"},
        },
        mapping_set={
            "id": "m",
            "version": 0,
            "outputSchema": {"schemaRef": {"id": "sc"}},
            "mappings": MAPPINGS,
        },
        dataflow={
            "id": "f",
            "state": "enabled",
            "flowSpec": {"id": platform.REST_FLOW_SPEC_ID},
            "sourceConnectionIds": ["s"],
            "targetConnectionIds": ["t"],
            "transformations": [{"name": "Mapping", "params": {"mappingId": "m", "mappingVersion": 0}}],
            "scheduleParams": dict(ONCE),
        },
    )


def wanted(schedule=ONCE, **fields) -> Wanted:
    fg = group(id={"type": "string"}, **fields)
    mappings = MAPPINGS + [
        {"sourceType": "ATTRIBUTE", "source": f"data.{n}", "destination": f"{T}.charges_data.{n}"}
        for n in fields
    ]
    return Wanted("charges", fg, platform.PROFILE_CLASS_ID, mappings, dict(schedule))


def actions(plan) -> list[str]:
    return [r["action"] for r in plan["resources"]]


def test_a_fresh_sandbox_plans_eight_creates_and_their_posts():
    nothing = Observed(None, None, None, "acme", None, None, None, None, None, None)
    plan = plan_onboarding(
        NAMES, nothing, Wanted("charges", None, platform.PROFILE_CLASS_ID, None, ONCE), now=NOW
    )
    assert actions(plan) == ["create"] * 8
    assert [r["id"] for r in plan["resources"]] == [None] * 8
    posts = [q["path"].rsplit("/foundation/", 1)[1] for q in plan["requests"]]
    assert posts == [
        "flowservice/connections",
        "flowservice/sourceConnections",
        "schemaregistry/tenant/fieldgroups",
        "schemaregistry/tenant/schemas",
        "catalog/dataSets",
        "flowservice/targetConnections",
        "conversion/mappingSets/validate",
        "conversion/mappingSets",
        "flowservice/flows",
    ]
    assert "8 create" in render(plan)


def test_everything_as_asked_is_eight_keeps_and_no_request():
    plan = plan_onboarding(NAMES, existing(), wanted(), now=NOW)
    assert actions(plan) == ["keep"] * 8 and plan["requests"] == []


def test_a_missing_dependency_makes_an_existing_dependant_a_conflict_not_a_guess():
    observed = existing()._replace(schema=None)
    plan = plan_onboarding(NAMES, observed, wanted(), now=NOW)
    by_kind = {r["kind"]: r for r in plan["resources"]}
    assert by_kind["schema"]["action"] == "create"
    assert by_kind["dataset"]["action"] == "conflict"
    assert by_kind["dataset"]["changes"] == [{"field": "schemaRef.id", "old": "sc", "new": "<new schema>"}]


def test_a_changed_schedule_is_an_update_with_old_and_new_only_when_on_conflict_update():
    day = {"startTime": "1700000000", "frequency": "day", "interval": 1}
    conflict = plan_onboarding(NAMES, existing(), wanted(day), now=NOW)
    assert actions(conflict)[-1] == "conflict" and conflict["requests"] == []
    plan = plan_onboarding(NAMES, existing(), wanted(day), on_conflict="update", now=NOW)
    flow = plan["resources"][-1]
    assert flow["action"] == "update"
    assert {c["field"]: (c["old"], c["new"]) for c in flow["changes"]} == {
        "scheduleParams.frequency": ("once", "day"),
        "scheduleParams.interval": (None, "1"),
    }
    (patch,) = plan["requests"]
    assert patch["method"] == "PATCH" and patch["path"].endswith("/flows/f")
    assert {op["path"] for op in patch["body"]} == {"/scheduleParams/frequency", "/scheduleParams/interval"}


def test_a_new_field_under_extend_plans_the_patch_the_next_version_and_the_flow_patch():
    plan = plan_onboarding(
        NAMES, existing(), wanted(risk_note={"type": "string"}), on_schema_change="extend", now=NOW
    )
    by_kind = {r["kind"]: r for r in plan["resources"]}
    assert [by_kind[k]["action"] for k in ("field group", "mapping set", "dataflow")] == ["update"] * 3
    assert by_kind["mapping set"]["version"] == 1
    methods = [(q["method"], q["path"].rsplit("/", 1)[-1]) for q in plan["requests"]]
    assert methods == [("PATCH", "fg"), ("POST", "validate"), ("PUT", "m"), ("PATCH", "f")]
    assert plan["requests"][-1]["body"] == [
        {
            "op": "replace",
            "path": "/transformations/0",
            "value": {"name": "Mapping", "params": {"mappingId": "m", "mappingVersion": 1}},
        }
    ]


def test_the_same_drift_is_a_conflict_under_fail_and_a_keep_under_ignore():
    new_field = {"risk_note": {"type": "string"}}
    failing = plan_onboarding(NAMES, existing(), wanted(**new_field), now=NOW)
    assert actions(failing)[2] == "conflict" and failing["requests"] == []
    ignoring = plan_onboarding(NAMES, existing(), wanted(**new_field), on_schema_change="ignore", now=NOW)
    assert actions(ignoring) == ["keep"] * 8 and ignoring["requests"] == []


def test_a_retype_under_extend_is_refused_naming_the_field():
    observed = existing()._replace(field_group=group(id={"type": "integer"}))
    plan = plan_onboarding(NAMES, observed, wanted(), on_schema_change="extend", now=NOW)
    fg = plan["resources"][2]
    assert fg["action"] == "refused" and "charges_data.id: type integer -> string" in fg["reason"]
    assert not any(q["method"] == "PATCH" and "fieldgroups" in q["path"] for q in plan["requests"])
