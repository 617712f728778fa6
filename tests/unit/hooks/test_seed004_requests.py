"""The payments onboarding sends the request bodies of Adobe's payments tutorial (seed 004), field by
field; each difference is one the API reference settles, and is spelled out here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_provider_stripe_aep.client import AEPClient, AEPClientConfig
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources import platform
from airflow_provider_stripe_aep.sources import paypal as payments
from airflow_provider_stripe_aep.validation import validate_schedule
from airflow_provider_stripe_aep.xdm import inference as xdm

SEED = json.loads((Path(__file__).parents[2] / "fixtures" / "seed004_requests.json").read_text())
BASE = "https://platform.example/data/foundation"
FLOWS = f"{BASE}/flowservice"


@pytest.fixture
def hook(requests_mock):
    for resource in ("connections", "sourceConnections", "targetConnections", "flows"):
        requests_mock.get(f"{FLOWS}/{resource}", json={"items": []})
        requests_mock.post(f"{FLOWS}/{resource}", status_code=201, json={"id": "new-id", "etag": '"1"'})
    requests_mock.get(
        f"{FLOWS}/flowSpecs", json={"items": [{"id": SEED["flowSpecs"]["id"], "name": "CRMToAEP"}]}
    )
    requests_mock.get(f"{BASE}/catalog/dataSets", json={})
    requests_mock.post(
        f"{BASE}/catalog/dataSets", status_code=201, json=["@/dataSets/5e8918669cbbee18ad9771f3"]
    )
    requests_mock.get(f"{BASE}/conversion/mappingSets", json={"data": [], "_page": {"count": 0}})
    requests_mock.post(f"{BASE}/conversion/mappingSets/validate", json={"validationResponse": []})
    requests_mock.post(
        f"{BASE}/conversion/mappingSets", json={"id": "b54a8dc38e8d4e31a2dc096e413ae8e5", "version": 0}
    )
    hook = AdobeExperiencePlatformHook()
    config = AEPClientConfig(
        client_id="cid", org_id="O@AdobeOrg", access_token="tok", base_url="https://platform.example"
    )
    hook.__dict__["client"] = AEPClient(config)
    return hook


def sent(requests_mock, path: str) -> dict:
    posts = [r for r in requests_mock.request_history if r.method == "POST" and r.path == path.lower()]
    assert len(posts) == 1
    return posts[0].json()


def test_source_connection(hook, requests_mock):
    seed = dict(SEED["sourceConnections"])
    hook.ensure_source_connection(
        seed["name"],
        base_connection_id=seed["connectionId"],
        params=seed["params"],
        connection_spec_id=payments.PAYPAL_CONNECTION_SPEC_ID,
        data_format=payments.TABLE_DATA_FORMAT,
        description=seed["description"],
    )
    body = sent(requests_mock, "/data/foundation/flowservice/sourceConnections")
    # The tutorial calls the base connection `connectionId`; the Flow Service API (and the Stripe
    # tutorial) name that field `baseConnectionId`.
    seed["baseConnectionId"] = seed.pop("connectionId")
    assert body == seed


def test_dataset(hook, requests_mock):
    seed = SEED["dataSets"]
    hook.ensure_dataset(seed["name"], schema_id=seed["schemaRef"]["id"])
    body = sent(requests_mock, "/data/foundation/catalog/dataSets")
    (post,) = [r for r in requests_mock.request_history if r.method == "POST"]
    assert post.qs == {"requestdatasource": ["true"]}
    # One content type for the dataset and the target connection (xed-full, version 1), where the
    # tutorial's dataset uses the `notext` variant; and an empty description.
    assert body.pop("description") == ""
    assert body["schemaRef"].pop("contentType") == platform.XED_FULL_CONTENT_TYPE
    assert body == {"name": seed["name"], "schemaRef": {"id": seed["schemaRef"]["id"]}}


def test_target_connection(hook, requests_mock):
    seed = SEED["targetConnections"]
    hook.ensure_target_connection(
        seed["name"],
        schema_id=seed["data"]["schema"]["id"],
        dataset_id=seed["params"]["dataSetId"],
        description=seed["description"],
    )
    body = sent(requests_mock, "/data/foundation/flowservice/targetConnections")
    # The tutorial's example sends the payments app's connection spec, but its own text says the
    # target is the data lake (c604ff05-...), which also needs `data.format: parquet_xdm`.
    assert body.pop("connectionSpec") == {"id": platform.DATA_LAKE_CONNECTION_SPEC_ID, "version": "1.0"}
    assert body["data"].pop("format") == "parquet_xdm"
    assert body["data"]["schema"].pop("version") == platform.XED_FULL_CONTENT_TYPE
    expected = {k: v for k, v in seed.items() if k != "connectionSpec"}
    expected["data"] = {"schema": {"id": seed["data"]["schema"]["id"]}}
    assert body == expected


def test_mapping_set(hook, requests_mock):
    seed = SEED["mappingSets"]
    body = xdm.build_mapping_set(seed["xdmSchema"], seed["mappings"])
    hook.ensure_mapping_set("PayPal mapping", body=body)
    created = sent(requests_mock, "/data/foundation/conversion/mappingSets")
    # Current Data Prep style: `outputSchema.schemaRef` for `xdmSchema`, `source`/`destination` for
    # `sourceAttribute`/`destinationXdmPath`; the legacy null/false/0 fields are left out.
    assert created["outputSchema"]["schemaRef"]["id"] == seed["xdmSchema"]
    assert [(m["sourceType"], m["source"], m["destination"]) for m in created["mappings"]] == [
        ("ATTRIBUTE", m["sourceAttribute"], m["destinationXdmPath"]) for m in seed["mappings"]
    ]
    assert created["name"] == "PayPal mapping"


def test_flow_spec_is_found_by_name(hook, requests_mock):
    assert hook.flow_spec_id(payments.CRM_FLOW_SPEC_NAME) == SEED["flowSpecs"]["id"]
    lookup = requests_mock.request_history[-1]
    assert lookup.path == "/data/foundation/flowservice/flowspecs"
    assert lookup.qs["property"] == ["name==crmtoaep"]  # requests-mock lowercases query values


def test_dataflow(hook, requests_mock):
    seed = SEED["flows"]
    mapping = seed["transformations"][1]
    hook.ensure_dataflow(
        seed["name"],
        source_connection_id=seed["sourceConnectionIds"][0],
        target_connection_id=seed["targetConnectionIds"][0],
        mapping_id=mapping["params"]["mappingId"],
        mapping_version=0,
        schedule_params=validate_schedule("minute", 30, 1567411548),
        flow_spec_id=seed["flowSpec"]["id"],
        description=seed["description"],
        transformations=[payments.copy_transformation("updatedAt", "YYYY-MM-DD", "UTC")],
    )
    body = sent(requests_mock, "/data/foundation/flowservice/flows")
    # `mappingVersion` and `interval` are sent as numbers, as the Stripe tutorial and the flow spec's
    # scheduleSpec (`interval: integer`) have them; the payments tutorial writes them as strings.
    assert body["transformations"][1]["params"]["mappingVersion"] == 0
    assert body["scheduleParams"]["interval"] == 30
    body["transformations"][1]["params"]["mappingVersion"] = "0"
    body["scheduleParams"]["interval"] = "30"
    assert body == seed
