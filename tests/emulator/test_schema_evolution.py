"""Schema evolution in the emulator (reference §8c): field group PATCH (additive only once data is
ingested or Profile is enabled), mapping set versions the flow keeps until PATCHed, explore answers
that gain a field (admin call) and runs that write the mapping version their flow uses."""

from __future__ import annotations

import time

from .helpers import TENANT, Aep, encoded, source_params, wait_for

DEF = f"/definitions/stripe/properties/_{TENANT}/properties/charges_data/properties"


def _patch_group(aep: Aep, group_id: str, ops: list) -> object:
    return aep.patch(f"/schemaregistry/tenant/fieldgroups/{encoded(group_id)}", json=ops)


def _finished_run(aep: Aep, flow_id: str) -> dict:
    return wait_for(
        lambda: next(
            (r for r in aep.runs(flow_id) if r["metrics"]["statusSummary"]["status"] == "success"), None
        )
    )


def test_before_any_data_a_field_group_may_change_in_any_way(aep: Aep):
    group = aep.field_group()
    response = _patch_group(aep, group, [{"op": "remove", "path": f"{DEF}/refunded"}])
    assert response.status_code == 200, response.text


def test_once_a_run_ingested_only_add_operations_pass_and_a_retype_is_refused(aep: Aep):
    ids = aep.onboard()
    _finished_run(aep, ids["flow"])
    added = _patch_group(
        aep, ids["field_group"], [{"op": "add", "path": f"{DEF}/note", "value": {"type": "string"}}]
    )
    assert added.status_code == 200, added.text
    assert (
        "note"
        in added.json()["definitions"]["stripe"]["properties"][f"_{TENANT}"]["properties"]["charges_data"][
            "properties"
        ]
    )
    retyped = _patch_group(
        aep, ids["field_group"], [{"op": "replace", "path": f"{DEF}/amount", "value": {"type": "string"}}]
    )
    assert retyped.status_code == 400
    assert (
        "only additive changes" in retyped.text
        and "amount" in retyped.text
        and ids["dataset"] in retyped.text
    )
    removed = _patch_group(aep, ids["field_group"], [{"op": "remove", "path": f"{DEF}/refunded"}])
    assert removed.status_code == 400 and "refunded: removed" in removed.text


def test_a_profile_enabled_schema_holds_its_field_groups_to_additive_changes(aep: Aep):
    group = aep.field_group()
    schema = aep.schema(group)
    enabled = aep.patch(
        f"/schemaregistry/tenant/schemas/{encoded(schema)}",
        json=[{"op": "add", "path": "/meta:immutableTags", "value": ["union"]}],
    )
    assert enabled.status_code == 200, enabled.text
    response = _patch_group(aep, group, [{"op": "remove", "path": f"{DEF}/refunded"}])
    assert response.status_code == 400 and "enabled for Profile" in response.text


def test_a_mapping_set_update_is_the_next_version_and_the_flow_keeps_its_own_until_patched(aep: Aep):
    ids = aep.onboard()
    current = aep.get(f"/conversion/mappingSets/{ids['mapping']}").json()
    body = {
        "outputSchema": {"schemaRef": {"id": ids["schema"]}},
        "mappings": [{k: m[k] for k in ("sourceType", "source", "destination")} for m in current["mappings"]]
        + [
            {
                "sourceType": "ATTRIBUTE",
                "source": "data.amount",
                "destination": f"_{TENANT}.charges_data.amount",
            }
        ],
    }
    put = aep.request("PUT", f"/conversion/mappingSets/{ids['mapping']}", json=body)
    assert put.status_code == 200, put.text
    assert put.json()["version"] == current["version"] + 1
    assert aep.get(f"/conversion/mappingSets/{ids['mapping']}", params={"version": 0}).json()["version"] == 0
    flow = aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]
    assert str(flow["transformations"][0]["params"]["mappingVersion"]) == "0"
    first = _finished_run(aep, ids["flow"])
    assert aep.admin("GET", f"/runs/{first['id']}/output").json()["mappingVersion"] == 0


def test_an_explore_answer_gains_a_field_and_runs_after_the_flow_patch_write_it(aep: Aep):
    ids = aep.onboard(startTime=str(int(time.time()) - 60), frequency="minute", interval=15)
    gained = aep.admin(
        "POST",
        "/explore/charges/fields",
        json={"path": "risk_note", "schema": {"type": "string"}, "value": "hi"},
    )
    assert gained.status_code == 200, gained.text
    explore = aep.get(
        f"/flowservice/connections/{ids['base']}/explore",
        params={
            "objectType": "rest",
            "object": "json",
            "fileType": "json",
            "preview": "true",
            "sourceParams": source_params("charges"),
        },
    ).json()
    assert explore["schema"]["properties"]["data"]["properties"]["risk_note"] == {"type": "string"}
    assert all(r["data"]["risk_note"] == "hi" for r in explore["data"])

    patched = _patch_group(
        aep, ids["field_group"], [{"op": "add", "path": f"{DEF}/risk_note", "value": {"type": "string"}}]
    )
    assert patched.status_code == 200, patched.text  # type: ignore[attr-defined]
    current = aep.get(f"/conversion/mappingSets/{ids['mapping']}").json()
    new_leaf = f"_{TENANT}.charges_data.risk_note"
    body = {
        "outputSchema": {"schemaRef": {"id": ids["schema"]}},
        "mappings": [{k: m[k] for k in ("sourceType", "source", "destination")} for m in current["mappings"]]
        + [{"sourceType": "ATTRIBUTE", "source": "data.risk_note", "destination": new_leaf}],
    }
    assert aep.request("PUT", f"/conversion/mappingSets/{ids['mapping']}", json=body).json()["version"] == 1
    flow = aep.get(f"/flowservice/flows/{ids['flow']}").json()["items"][0]
    patched = aep.patch(
        f"/flowservice/flows/{ids['flow']}",
        headers=aep.headers(**{"If-Match": flow["etag"]}),
        json=[
            {
                "op": "replace",
                "path": "/transformations/0",
                "value": {"name": "Mapping", "params": {"mappingId": ids["mapping"], "mappingVersion": 1}},
            }
        ],
    )
    assert patched.status_code == 200, patched.text
    patched_at = time.time() * 1000
    later = wait_for(
        lambda: next((r for r in aep.runs(ids["flow"]) if r["createdAt"] > patched_at), None), timeout=5
    )
    output = aep.admin("GET", f"/runs/{later['id']}/output").json()
    assert output["mappingVersion"] == 1 and new_leaf in output["fields"]
