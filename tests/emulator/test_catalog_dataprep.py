"""Catalog datasets and Data Prep mapping sets."""

from __future__ import annotations

import re
from typing import Any

from .helpers import TENANT, XED_FULL, Aep, legacy_mapping_body


def test_dataset_create_list_get_delete(aep: Aep) -> None:
    schema = aep.schema(aep.field_group())
    response = aep.post(
        "/catalog/dataSets",
        params={"requestDataSource": "true"},
        json={"name": "Stripe charges dataset", "schemaRef": {"id": schema, "contentType": XED_FULL}},
    )
    assert response.status_code == 201
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    match = re.fullmatch(r"@/dataSets/([0-9a-f]{24})", body[0])
    assert match
    dataset_id = match.group(1)
    assert response.headers["Location"].endswith(f"/dataSets/{dataset_id}")
    got = aep.get(f"/catalog/dataSets/{dataset_id}").json()
    assert list(got) == [dataset_id]
    assert (
        got[dataset_id]["schemaRef"]["id"] == schema and got[dataset_id]["name"] == "Stripe charges dataset"
    )
    assert aep.delete(f"/catalog/dataSets/{dataset_id}").json() == [f"@/dataSets/{dataset_id}"]
    assert aep.get(f"/catalog/dataSets/{dataset_id}").status_code == 404
    assert aep.delete(f"/catalog/dataSets/{dataset_id}").json() == []


def test_dataset_needs_an_existing_schema(aep: Aep) -> None:
    for body in (
        {"name": "x"},
        {"name": "x", "schemaRef": {"id": "https://ns.adobe.com/emulatortenant/schemas/no"}},
    ):
        response = aep.post("/catalog/dataSets", json=body)
        assert response.status_code == 400
    assert aep.get("/catalog/dataSets").json() == {}


def test_dataset_filters_and_limits(aep: Aep) -> None:
    schema = aep.schema(aep.field_group())
    ids = [aep.dataset(schema, f"ds-{i}") for i in range(4)]
    everything = aep.get("/catalog/dataSets").json()
    assert list(everything) == ids
    assert list(aep.get("/catalog/dataSets", params={"name": "ds-2"}).json()) == [ids[2]]
    assert list(aep.get("/catalog/dataSets", params={"name": "ds-1,ds-3"}).json()) == [ids[1], ids[3]]
    assert list(aep.get("/catalog/dataSets", params={"property": "name==ds-0"}).json()) == [ids[0]]
    assert list(aep.get("/catalog/dataSets", params={"property": "name!=ds-0"}).json()) == ids[1:]
    paged = aep.get("/catalog/dataSets", params={"limit": 2, "start": 1}).json()
    assert list(paged) == ids[1:3]
    projected = aep.get("/catalog/dataSets", params={"properties": "name", "limit": 1}).json()
    assert projected == {ids[0]: {"name": "ds-0"}}
    newest = aep.get("/catalog/dataSets", params={"orderBy": "desc:created", "limit": 1}).json()
    assert len(newest) == 1
    for limit in (0, 101):
        assert aep.get("/catalog/dataSets", params={"limit": limit}).status_code == 400


def _current_style(schema: str, destination: str, source_type: str = "ATTRIBUTE") -> dict[str, Any]:
    return {
        "name": "charges mapping",
        "outputSchema": {"schemaRef": {"id": schema, "contentType": XED_FULL}},
        "mappings": [
            {"sourceType": source_type, "source": "data.id", "destination": destination, "name": "id"},
            {
                "sourceType": "EXPRESSION",
                "source": "lower(data.outcome.risk_level)",
                "destination": f"_{TENANT}.charges_data.outcome.risk_level",
            },
        ],
    }


def test_mapping_set_both_body_styles(aep: Aep) -> None:
    schema = aep.schema(aep.field_group())
    legacy = aep.post("/conversion/mappingSets", json=legacy_mapping_body(schema))
    assert legacy.status_code == 200
    assert set(legacy.json()) == {"id", "version", "createdDate", "modifiedDate", "createdBy", "modifiedBy"}
    assert re.fullmatch(r"[0-9a-f]{32}", legacy.json()["id"]) and legacy.json()["version"] == 0
    current = aep.post("/conversion/mappingSets", json=_current_style(schema, f"_{TENANT}.charges_data.id"))
    assert current.status_code == 200
    stored = aep.get(f"/conversion/mappingSets/{current.json()['id']}").json()
    assert stored["name"] == "charges mapping"
    assert stored["outputSchema"]["schemaRef"]["id"] == schema
    assert [m["destination"] for m in stored["mappings"]] == [
        f"_{TENANT}.charges_data.id",
        f"_{TENANT}.charges_data.outcome.risk_level",
    ]
    object_level = _current_style(schema, f"_{TENANT}.charges_data.outcome")
    assert aep.post("/conversion/mappingSets", json=object_level).status_code == 200


def test_mapping_set_validation(aep: Aep) -> None:
    schema = aep.schema(aep.field_group())
    bad = _current_style(schema, f"_{TENANT}.charges_data.nope")
    checked = aep.post("/conversion/mappingSets/validate", json=bad)
    assert checked.status_code == 200
    results = checked.json()["validationResponse"]
    assert [r["status"] for r in results] == ["FAILED", "SUCCESS"]
    assert results[0]["errors"][0]["destination"] == f"_{TENANT}.charges_data.nope"
    assert results[1]["errors"] is None
    created = aep.post("/conversion/mappingSets", json=bad)
    assert created.status_code == 400
    assert "charges_data.nope" in created.text
    wrong_type = aep.post(
        "/conversion/mappingSets/validate",
        json=_current_style(schema, f"_{TENANT}.charges_data.id", source_type="COLUMN"),
    )
    assert wrong_type.json()["validationResponse"][0]["status"] == "FAILED"
    no_schema = legacy_mapping_body("https://ns.adobe.com/emulatortenant/schemas/none")
    assert aep.post("/conversion/mappingSets", json=no_schema).status_code == 400
    assert aep.get("/conversion/mappingSets", params={"limit": 10}).status_code == 400
    assert aep.get("/conversion/mappingSets", params={"start": 0}).status_code == 400


def test_mapping_set_listing_and_no_delete(aep: Aep) -> None:
    schema = aep.schema(aep.field_group())
    first = aep.post(
        "/conversion/mappingSets", json=_current_style(schema, f"_{TENANT}.charges_data.id")
    ).json()["id"]
    second = aep.mapping_set(schema)
    listed = aep.get("/conversion/mappingSets", params={"limit": 10, "start": 0}).json()
    assert [m["id"] for m in listed["data"]] == [first, second]
    assert listed["_page"] == {"count": 2, "limit": 10}
    named = aep.get(
        "/conversion/mappingSets", params={"limit": 10, "start": 0, "name": "charges mapping"}
    ).json()
    assert [m["id"] for m in named["data"]] == [first]
    assert (
        aep.get("/conversion/mappingSets", params={"limit": 1, "start": 1}).json()["data"][0]["id"] == second
    )
    # Data Prep documents no DELETE for mapping sets (reference §5): the emulator offers none either
    assert aep.delete(f"/conversion/mappingSets/{first}").status_code == 405
    assert aep.get(f"/conversion/mappingSets/{first}").status_code == 200
