"""Schema Registry: field groups, schemas, Accept headers, validation, listing."""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.resources.platform import EXPERIENCE_EVENT_CLASS_ID, PROFILE_CLASS_ID

from .helpers import INT, TENANT, XED_FULL, Aep, encoded, field_group_body, schema_body

ID_LIST = "application/vnd.adobe.xed-id+json"


def _code(response: Any) -> str:
    return str(response.json()["type"]).rsplit("/", 1)[-1]


def test_create_field_group_shape(aep: Aep) -> None:
    response = aep.post("/schemaregistry/tenant/fieldgroups", json=field_group_body("Charges"))
    assert response.status_code == 201
    body = response.json()
    assert body["$id"].startswith(f"https://ns.adobe.com/{TENANT}/mixins/")
    assert body["meta:altId"] == f"_{TENANT}.mixins.{body['$id'].rsplit('/', 1)[1]}"
    assert body["version"] == "1.0"
    assert body["meta:resourceType"] == "mixins"
    assert body["meta:intendedToExtend"] == [PROFILE_CLASS_ID]


def test_field_group_validation(aep: Aep) -> None:
    no_extend = field_group_body("a")
    del no_extend["meta:intendedToExtend"]
    outside = field_group_body("b")
    outside["definitions"]["stripe"]["properties"]["loose"] = {"type": "string"}
    cases: list[dict[str, Any]] = [
        no_extend,
        outside,
        field_group_body("c", {"_hidden": {"type": "string"}}),
        field_group_body("d", {"bad name": {"type": "string"}}),
        field_group_body("e", {"amount": {"type": "integer"}}),
        field_group_body("f", {"metadata": {"type": "object", "properties": {}}}),
        field_group_body("g", {"nothing": {}}),
        field_group_body("h", {"tags": {"type": "array"}}),
        field_group_body(
            "i", {"m": {"type": "object", "meta:xdmType": "map", "additionalProperties": {"type": "object"}}}
        ),
        field_group_body("j", {"big": {"type": "integer", "minimum": 0, "maximum": 2**60}}),
    ]
    for body in cases:
        response = aep.post("/schemaregistry/tenant/fieldgroups", json=body)
        assert response.status_code == 400, body["title"]
        assert response.json()["report"]["sub-errors"], body["title"]
    accepted = field_group_body(
        "ok",
        {
            "amount": dict(INT),
            "tags": {"type": "array", "items": {"type": "string"}},
            "meta": {"type": "object", "meta:xdmType": "map", "additionalProperties": {"type": "string"}},
            "created": {"type": "string", "format": "date-time"},
            "score": {"type": "number"},
            "with-dash_and_underscore": {"type": "boolean"},
        },
    )
    assert aep.post("/schemaregistry/tenant/fieldgroups", json=accepted).status_code == 201
    duplicate = aep.post("/schemaregistry/tenant/fieldgroups", json=field_group_body("ok"))
    assert duplicate.status_code == 400 and _code(duplicate) == "XDM-3005-400"


def test_schema_create_full_view_and_patch(aep: Aep) -> None:
    group = aep.field_group()
    response = aep.post("/schemaregistry/tenant/schemas", json=schema_body("Charges schema", group))
    assert response.status_code == 201
    schema = response.json()
    assert schema["meta:class"] == PROFILE_CLASS_ID
    assert group in schema["meta:extends"] and PROFILE_CLASS_ID in schema["meta:extends"]
    sid = schema["$id"]
    full = aep.get(f"/schemaregistry/tenant/schemas/{encoded(sid)}", headers=aep.headers(Accept=XED_FULL))
    assert full.status_code == 200
    props = full.json()["properties"]
    assert "_id" in props and "personID" in props
    assert props[f"_{TENANT}"]["properties"]["charges_data"]["properties"]["outcome"]["properties"][
        "risk_level"
    ]
    by_alt = aep.get(
        f"/schemaregistry/tenant/schemas/{schema['meta:altId']}",
        headers=aep.headers(Accept="application/vnd.adobe.xed+json; version=1"),
    )
    assert by_alt.status_code == 200 and "properties" not in by_alt.json()
    other = aep.field_group("More", {"extra": {"type": "string"}})
    patch = [
        {"op": "add", "path": "/meta:extends/-", "value": other},
        {"op": "add", "path": "/allOf/-", "value": {"$ref": other}},
    ]
    patched = aep.patch(f"/schemaregistry/tenant/schemas/{encoded(sid)}", json=patch)
    assert patched.status_code == 200
    assert patched.json()["version"] == "1.1"
    full = aep.get(
        f"/schemaregistry/tenant/schemas/{encoded(sid)}", headers=aep.headers(Accept=XED_FULL)
    ).json()
    assert "extra" in full["properties"][f"_{TENANT}"]["properties"]


def test_schema_validation(aep: Aep) -> None:
    group = aep.field_group()
    event_group = aep.post(
        "/schemaregistry/tenant/fieldgroups",
        json={
            **field_group_body(
                "Event fields", {"event_data": {"type": "object", "properties": {"x": {"type": "string"}}}}
            ),
            "meta:intendedToExtend": [EXPERIENCE_EVENT_CLASS_ID],
        },
    ).json()["$id"]
    cases = [
        {"title": "no class", "type": "object", "allOf": [{"$ref": group}]},
        {
            "title": "two classes",
            "type": "object",
            "allOf": [{"$ref": PROFILE_CLASS_ID}, {"$ref": EXPERIENCE_EVENT_CLASS_ID}],
        },
        schema_body("unknown group", "https://ns.adobe.com/emulatortenant/mixins/doesnotexist"),
        schema_body("incompatible", event_group),
    ]
    for body in cases:
        response = aep.post("/schemaregistry/tenant/schemas", json=body)
        assert response.status_code == 400, body["title"]
        assert response.json()["status"] == 400
    event_schema = aep.post(
        "/schemaregistry/tenant/schemas",
        json=schema_body("events", event_group, class_id=EXPERIENCE_EVENT_CLASS_ID),
    )
    assert event_schema.status_code == 201
    aep.schema(group, "taken")
    duplicate = aep.post("/schemaregistry/tenant/schemas", json=schema_body("taken", group))
    assert duplicate.status_code == 400 and _code(duplicate) == "XDM-3005-400"


def test_accept_header_rules(aep: Aep) -> None:
    group = aep.field_group()
    no_accept = aep.get("/schemaregistry/tenant/fieldgroups")
    assert no_accept.status_code == 400 and _code(no_accept) == "XDM-1006-400"
    no_version = aep.get(
        f"/schemaregistry/tenant/fieldgroups/{encoded(group)}",
        headers=aep.headers(Accept="application/vnd.adobe.xed-full+json"),
    )
    assert no_version.status_code == 400 and _code(no_version) == "XDM-1007-400"
    missing = aep.get(
        "/schemaregistry/tenant/schemas/" + encoded("https://ns.adobe.com/emulatortenant/schemas/x"),
        headers=aep.headers(Accept=XED_FULL),
    )
    assert missing.status_code == 404
    body = missing.json()
    assert _code(missing) == "XDM-1012-404"
    assert {"title", "status", "report", "detail"} <= set(body)
    assert "registryRequestId" in body["report"]
    full_group = aep.get(
        f"/schemaregistry/tenant/mixins/{encoded(group)}", headers=aep.headers(Accept=XED_FULL)
    )
    assert full_group.status_code == 200 and f"_{TENANT}" in full_group.json()["properties"]


def test_listing_and_paging(aep: Aep) -> None:
    for i in range(5):
        aep.field_group(f"group {i}", {f"f{i}": {"type": "string"}})
    summary = aep.get("/schemaregistry/tenant/fieldgroups", headers=aep.headers(Accept=ID_LIST)).json()
    assert len(summary["results"]) == 5
    assert set(summary["results"][0]) == {"$id", "meta:altId", "version", "title"}
    by_title = aep.get(
        "/schemaregistry/tenant/fieldgroups",
        params={"property": "title==group 3"},
        headers=aep.headers(Accept="application/vnd.adobe.xed+json"),
    ).json()
    assert [r["title"] for r in by_title["results"]] == ["group 3"]
    assert "definitions" in by_title["results"][0]
    titles: list[str] = []
    params: dict[str, Any] = {"orderby": "title", "limit": 2}
    while True:
        page = aep.get(
            "/schemaregistry/tenant/mixins", params=params, headers=aep.headers(Accept=ID_LIST)
        ).json()
        titles += [r["title"] for r in page["results"]]
        assert page["_page"]["count"] == len(page["results"])
        if page["_page"]["next"] is None:
            assert page["_links"]["next"] is None
            break
        params["start"] = page["_page"]["next"]
    assert titles == [f"group {i}" for i in range(5)]
    aep.field_group("charges, refunds", {"both": {"type": "string"}})
    comma = aep.get(
        "/schemaregistry/tenant/fieldgroups",
        params={"property": "title==charges, refunds"},
        headers=aep.headers(Accept=ID_LIST),
    ).json()
    assert [r["title"] for r in comma["results"]] == ["charges, refunds"]


def test_delete_refused_once_enabled_for_profile_ref8c(aep: Aep) -> None:
    group = aep.field_group()
    schema = aep.schema(group)
    enable = [{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}]
    assert aep.patch(f"/schemaregistry/tenant/schemas/{encoded(schema)}", json=enable).status_code == 200
    refused = aep.delete(f"/schemaregistry/tenant/schemas/{encoded(schema)}")
    assert refused.status_code == 400 and "enabled for Profile" in refused.json()["detail"], refused.text
    assert aep.delete(f"/schemaregistry/tenant/fieldgroups/{encoded(group)}").status_code == 400


def test_delete_refused_while_used(aep: Aep) -> None:
    group = aep.field_group()
    schema = aep.schema(group)
    dataset = aep.dataset(schema)
    assert aep.delete(f"/schemaregistry/tenant/fieldgroups/{encoded(group)}").status_code == 400
    assert aep.delete(f"/schemaregistry/tenant/schemas/{encoded(schema)}").status_code == 400
    assert aep.delete(f"/catalog/dataSets/{dataset}").status_code == 200
    assert aep.delete(f"/schemaregistry/tenant/schemas/{encoded(schema)}").status_code == 204
    assert aep.delete(f"/schemaregistry/tenant/fieldgroups/{encoded(group)}").status_code == 204
    gone = aep.get(
        f"/schemaregistry/tenant/fieldgroups/{encoded(group)}", headers=aep.headers(Accept=XED_FULL)
    )
    assert gone.status_code == 404
