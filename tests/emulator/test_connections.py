"""Flow Service: specs, base/source/target connections, explore."""

from __future__ import annotations

import json
from pathlib import Path

from airflow_provider_stripe_aep.emulator.specs import CRM_FLOW_SPEC_ID, PAYPAL_CONNECTION_SPEC_ID
from airflow_provider_stripe_aep.resources.platform import DATA_LAKE_CONNECTION_SPEC_ID, REST_FLOW_SPEC_ID
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS, STRIPE_CONNECTION_SPEC_ID

from .helpers import Aep, base_connection_body, source_connection_body, source_params, target_connection_body

SEED_EXPLORE = Path(__file__).resolve().parents[1] / "fixtures" / "seed_charges_explore.json"


def _code(response: object) -> str:
    return str(response.json()["type"]).rsplit("/", 1)[-1]  # type: ignore[attr-defined]


def test_connection_specs(aep: Aep) -> None:
    body = aep.get("/flowservice/connectionSpecs").json()
    ids = {item["id"] for item in body["items"]}
    assert {STRIPE_CONNECTION_SPEC_ID, DATA_LAKE_CONNECTION_SPEC_ID, PAYPAL_CONNECTION_SPEC_ID} <= ids
    stripe = aep.get(f"/flowservice/connectionSpecs/{STRIPE_CONNECTION_SPEC_ID}").json()["items"][0]
    auth = stripe["authSpec"][0]
    assert auth["name"] == "OAuth2 Refresh Code"
    assert auth["type"] == "OAuth2RefreshCode"
    assert auth["spec"]["required"] == ["accessToken"]
    paypal = aep.get("/flowservice/connectionSpecs", params={"property": "name==PayPal"}).json()["items"]
    assert [p["id"] for p in paypal] == [PAYPAL_CONNECTION_SPEC_ID]
    assert aep.get("/flowservice/connectionSpecs/nope").status_code == 404


def test_flow_specs_by_name(aep: Aep) -> None:
    rest = aep.get("/flowservice/flowSpecs", params={"property": "name==RestStorageToPlatform"}).json()[
        "items"
    ]
    assert [s["id"] for s in rest] == [REST_FLOW_SPEC_ID]
    assert STRIPE_CONNECTION_SPEC_ID in rest[0]["sourceConnectionSpecIds"]
    crm = aep.get("/flowservice/flowSpecs", params={"property": 'name=="CRMToAEP"'}).json()["items"]
    assert [s["id"] for s in crm] == [CRM_FLOW_SPEC_ID]
    assert {t["name"] for t in crm[0]["transformationSpecs"]} == {"Copy", "Mapping"}
    assert (
        aep.get(f"/flowservice/flowSpecs/{REST_FLOW_SPEC_ID}").json()["items"][0]["name"]
        == "RestStorageToPlatform"
    )


def test_create_base_connection_and_read_it_masked(aep: Aep) -> None:
    response = aep.post(
        "/flowservice/connections", json=base_connection_body(token="stripe-key-that-is-secret")
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "etag"}
    assert body["etag"].startswith('"') and body["etag"].endswith('"')
    assert response.headers["Location"].endswith(f"/connections/{body['id']}")
    read = aep.get(f"/flowservice/connections/{body['id']}")
    assert read.status_code == 200
    item = read.json()["items"][0]
    assert item["state"] == "enabled" and item["etag"] == body["etag"]
    assert item["auth"]["specName"] == "OAuth2 Refresh Code"
    assert "stripe-key-that-is-secret" not in read.text
    listed = aep.get("/flowservice/connections")
    assert "stripe-key-that-is-secret" not in listed.text
    assert "stripe-key-that-is-secret" not in aep.admin("GET", "/state").text
    assert aep.get(f"/flowservice/connections/{body['id']}/test").json() == {"result": True}


def test_base_connection_validation(aep: Aep) -> None:
    unknown = base_connection_body()
    unknown["connectionSpec"]["id"] = "00000000-0000-0000-0000-000000000000"
    wrong_auth = base_connection_body()
    wrong_auth["auth"]["specName"] = "Basic Authentication"
    no_token = base_connection_body(token="")
    cases = [(unknown, "FLOW-1413-400"), (wrong_auth, "FLOW-1415-400"), (no_token, "FLOW-1100-400")]
    for body, code in cases:
        response = aep.post("/flowservice/connections", json=body)
        assert response.status_code == 400
        assert _code(response) == code
        assert {"title", "status", "report", "errorMessage", "errorDetails"} <= set(response.json())
        assert "request-id" in response.json()["report"]
    assert aep.get("/flowservice/connections").json()["items"] == []


def test_explore_charges_is_the_seed_response(aep: Aep) -> None:
    base = aep.base_connection()
    params = {
        "objectType": "rest",
        "object": "json",
        "fileType": "json",
        "preview": "false",
        "sourceParams": source_params("charges"),
    }
    response = aep.get(f"/flowservice/connections/{base}/explore", params=params)
    assert response.status_code == 200
    assert response.json() == json.loads(SEED_EXPLORE.read_text())


def test_explore_every_resource_with_preview(aep: Aep) -> None:
    base = aep.base_connection()
    for resource in RESOURCE_PATHS:
        params = {
            "objectType": "rest",
            "object": "json",
            "fileType": "json",
            "preview": "true",
            "sourceParams": source_params(resource),
        }
        body = aep.get(f"/flowservice/connections/{base}/explore", params=params).json()
        assert body["format"] == "hierarchical", resource
        data_props = body["schema"]["properties"]["data"]["properties"]
        assert data_props["id"] == {"type": "string"}, resource
        assert data_props["created"] == {
            "type": "integer",
            "minimum": -9007199254740992,
            "maximum": 9007199254740991,
        }, resource
        assert body["data"] and all("id" in record["data"] for record in body["data"]), resource


def test_explore_rejects_bad_parameters(aep: Aep) -> None:
    base = aep.base_connection()
    bad = [
        {"objectType": "table", "sourceParams": source_params("charges")},
        {"objectType": "rest", "sourceParams": source_params("invoices")},
        {"objectType": "rest", "sourceParams": "%%%notbase64"},
        {"objectType": "rest"},
    ]
    for params in bad:
        assert aep.get(f"/flowservice/connections/{base}/explore", params=params).status_code == 400, params
    assert aep.get("/flowservice/connections/missing/explore", params=bad[0]).status_code == 404


def test_source_connection_validation(aep: Aep) -> None:
    base = aep.base_connection()
    good = source_connection_body(base)
    assert aep.post("/flowservice/sourceConnections", json=good).status_code == 201
    bad_format = {**good, "data": {"format": "parquet"}}
    bad_path = {**good, "params": {"resourcePath": "invoices"}}
    bad_base = {**good, "baseConnectionId": "not-there"}
    for body in (bad_format, bad_path, bad_base):
        response = aep.post("/flowservice/sourceConnections", json=body)
        assert response.status_code == 400
        assert _code(response) == "FLOW-1100-400"
    listed = aep.get(
        "/flowservice/sourceConnections", params={"property": f"baseConnectionId=={base}"}
    ).json()
    assert len(listed["items"]) == 1 and listed["items"][0]["params"] == {"resourcePath": "charges"}


def test_target_connection_validation(aep: Aep) -> None:
    group = aep.field_group()
    schema = aep.schema(group)
    dataset = aep.dataset(schema)
    other_schema = aep.schema(group, "another schema")
    other_dataset = aep.dataset(other_schema, "other dataset")
    good = target_connection_body(schema, dataset)
    assert aep.post("/flowservice/targetConnections", json=good).status_code == 201
    wrong_spec = target_connection_body(schema, dataset)
    wrong_spec["connectionSpec"]["id"] = STRIPE_CONNECTION_SPEC_ID
    wrong_format = target_connection_body(schema, dataset)
    wrong_format["data"]["format"] = "json"
    cases = [
        (wrong_spec, "FLOW-1413-400"),
        (wrong_format, "FLOW-1100-400"),
        (
            target_connection_body("https://ns.adobe.com/emulatortenant/schemas/none", dataset),
            "FLOW-1100-400",
        ),
        (target_connection_body(schema, "ffffffffffffffffffffffff"), "FLOW-1100-400"),
        (target_connection_body(schema, other_dataset), "FLOW-1425-400"),
    ]
    for body, code in cases:
        response = aep.post("/flowservice/targetConnections", json=body)
        assert response.status_code == 400, code
        assert _code(response) == code


def test_patch_connection_if_match_rules(aep: Aep) -> None:
    base = aep.base_connection()
    etag = aep.get(f"/flowservice/connections/{base}").json()["items"][0]["etag"]
    ops = [{"op": "add", "path": "/description", "value": "updated"}]
    missing = aep.patch(f"/flowservice/connections/{base}", json=ops)
    assert missing.status_code == 400 and _code(missing) == "FLOW-1403-400"
    stale = aep.patch(
        f"/flowservice/connections/{base}", json=ops, headers=aep.headers(**{"If-Match": '"stale"'})
    )
    assert stale.status_code == 412 and _code(stale) == "FLOW-1404-412"
    move = aep.patch(
        f"/flowservice/connections/{base}",
        json=[{"op": "move", "from": "/name", "path": "/x"}],
        headers=aep.headers(**{"If-Match": etag}),
    )
    assert move.status_code == 400 and _code(move) == "FLOW-1434-400"
    spec = aep.patch(
        f"/flowservice/connections/{base}",
        json=[{"op": "replace", "path": "/connectionSpec/id", "value": "x"}],
        headers=aep.headers(**{"If-Match": etag}),
    )
    assert spec.status_code == 400 and _code(spec) == "FLOW-1414-400"
    ok = aep.patch(f"/flowservice/connections/{base}", json=ops, headers=aep.headers(**{"If-Match": etag}))
    assert ok.status_code == 200
    assert ok.json()["id"] == base and ok.json()["etag"] != etag
    item = aep.get(f"/flowservice/connections/{base}").json()["items"][0]
    assert item["description"] == "updated" and item["etag"] == ok.json()["etag"]
    secret = [{"op": "replace", "path": "/auth/params", "value": {"accessToken": "rotated-key-value"}}]
    rotated = aep.patch(
        f"/flowservice/connections/{base}",
        json=secret,
        headers=aep.headers(**{"If-Match": ok.json()["etag"]}),
    )
    assert rotated.status_code == 200
    assert "rotated-key-value" not in aep.get(f"/flowservice/connections/{base}").text


def test_delete_connections(aep: Aep) -> None:
    ids = aep.onboard()
    in_use = aep.delete(f"/flowservice/connections/{ids['base']}")
    assert in_use.status_code == 400 and _code(in_use) == "FLOW-1418-400"
    src_in_use = aep.delete(f"/flowservice/sourceConnections/{ids['source']}")
    assert src_in_use.status_code == 400 and _code(src_in_use) == "FLOW-1447-400"
    assert aep.delete(f"/flowservice/flows/{ids['flow']}").status_code == 204
    assert aep.get(f"/flowservice/flows/{ids['flow']}").status_code == 404
    for path in (
        f"/sourceConnections/{ids['source']}",
        f"/targetConnections/{ids['target']}",
        f"/connections/{ids['base']}",
    ):
        response = aep.delete(f"/flowservice{path}")
        assert response.status_code == 204, path
        assert response.content == b""
        gone = aep.get(f"/flowservice{path}")
        assert gone.status_code == 404 and _code(gone) == "FLOW-1101-404"


def _paypal_base(aep: Aep) -> str:
    body = {
        "name": "Paypal connection",
        "connectionSpec": {"id": PAYPAL_CONNECTION_SPEC_ID, "version": "1.0"},
        "auth": {
            "specName": "Client-Id-Secret Based Authentication",
            "params": {
                "host": "api.sandbox.paypal.com",
                "clientId": "pp-client",
                "clientSecret": "pp-secret-x",
            },
        },
    }
    response = aep.post("/flowservice/connections", json=body)
    assert response.status_code == 201
    return str(response.json()["id"])


def test_paypal_table_source(aep: Aep) -> None:
    base = _paypal_base(aep)
    item = aep.get(f"/flowservice/connections/{base}").json()["items"][0]
    assert item["auth"]["params"]["clientId"] == "pp-client"
    assert item["auth"]["params"]["clientSecret"] != "pp-secret-x"
    tables = aep.get(f"/flowservice/connections/{base}/explore", params={"objectType": "root"}).json()
    assert "PayPal.Catalog_Products" in [t["path"] for t in tables]
    table = aep.get(
        f"/flowservice/connections/{base}/explore",
        params={"objectType": "table", "object": "PayPal.Catalog_Products", "preview": "true"},
    ).json()
    assert table["format"] == "flat"
    assert table["schema"]["columns"][0] == {
        "name": "Product_Id",
        "type": "string",
        "xdm": {"type": "string"},
    }
    assert len(table["data"]) == 4
    src = aep.post(
        "/flowservice/sourceConnections",
        json={
            "name": "PayPal source connection",
            "baseConnectionId": base,
            "connectionSpec": {"id": PAYPAL_CONNECTION_SPEC_ID, "version": "1.0"},
            "data": {"format": "tabular"},
            "params": {"path": "PayPal.Catalog_Products"},
        },
    )
    assert src.status_code == 201


def test_a_table_gains_a_column_in_explore_and_previewed_rows(aep: Aep) -> None:
    base = _paypal_base(aep)
    table = "PayPal.Catalog_Products"
    params = {"objectType": "table", "object": table, "preview": "true"}
    before = aep.get(f"/flowservice/connections/{base}/explore", params=params).json()
    added = aep.admin(
        "POST",
        f"/explore/tables/{table}/columns",
        json={"name": "Risk_Note", "type": "string", "value": "hi"},
    )
    assert added.status_code == 200, added.text
    after = aep.get(f"/flowservice/connections/{base}/explore", params=params).json()
    assert after["schema"]["columns"] == [
        *before["schema"]["columns"],
        {"name": "Risk_Note", "type": "string", "xdm": {"type": "string"}},
    ]
    assert [r["Risk_Note"] for r in after["data"]] == ["hi"] * len(before["data"])
    other = aep.get(
        f"/flowservice/connections/{base}/explore",
        params={"objectType": "table", "object": "PayPal.Billing_Plans"},
    ).json()
    assert "Risk_Note" not in {c["name"] for c in other["schema"]["columns"]}
    assert (
        aep.admin("POST", "/explore/tables/Nope/columns", json={"name": "A", "type": "string"}).status_code
        == 400
    )
    assert aep.admin("POST", f"/explore/tables/{table}/columns", json={"name": "A"}).status_code == 400
