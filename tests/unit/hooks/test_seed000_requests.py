"""The hook sends the request bodies of Adobe's Stripe tutorial, field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airflow_provider_stripe_aep.client import AEPClient, AEPClientConfig
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.validation import validate_schedule

SEED = json.loads((Path(__file__).parents[2] / "fixtures" / "seed_requests.json").read_text())
FLOWS = "https://platform.example/data/foundation/flowservice"


@pytest.fixture
def hook(requests_mock):
    requests_mock.get(f"{FLOWS}/connections", json={"items": []})
    requests_mock.get(f"{FLOWS}/sourceConnections", json={"items": []})
    requests_mock.get(f"{FLOWS}/targetConnections", json={"items": []})
    requests_mock.get(f"{FLOWS}/flows", json={"items": []})
    for resource in ("connections", "sourceConnections", "targetConnections", "flows"):
        requests_mock.post(f"{FLOWS}/{resource}", status_code=201, json={"id": "new-id", "etag": '"1"'})
    hook = AdobeExperiencePlatformHook()
    config = AEPClientConfig(
        client_id="cid", org_id="O@AdobeOrg", access_token="tok", base_url="https://platform.example"
    )
    hook.__dict__["client"] = AEPClient(config)
    return hook


def sent(requests_mock, resource: str) -> dict:
    posts = [
        r for r in requests_mock.request_history if r.method == "POST" and r.path.endswith(resource.lower())
    ]
    assert len(posts) == 1
    return posts[0].json()


def test_base_connection(hook, requests_mock):
    seed = SEED["connections"]
    hook.ensure_base_connection(
        seed["name"], auth_params={"accessToken": "{ACCESS_TOKEN}"}, description=seed["description"]
    )
    assert sent(requests_mock, "connections") == seed


def test_source_connection(hook, requests_mock):
    seed = SEED["sourceConnections"]
    hook.ensure_source_connection(
        seed["name"],
        base_connection_id=seed["baseConnectionId"],
        params={"resourcePath": "charges"},
        description=seed["description"],
    )
    assert sent(requests_mock, "sourceConnections") == seed


def test_target_connection(hook, requests_mock):
    seed = SEED["targetConnections"]
    hook.ensure_target_connection(
        seed["name"],
        schema_id=seed["data"]["schema"]["id"],
        dataset_id=seed["params"]["dataSetId"],
        description=seed["description"],
    )
    body = sent(requests_mock, "targetConnections")
    # The one deliberate difference: `version=1` always resolves to the latest minor version, where the
    # tutorial pins the minor version 1.3 of its own example schema.
    assert body["data"]["schema"].pop("version") == "application/vnd.adobe.xed-full+json;version=1"
    seed["data"]["schema"].pop("version")
    assert body == seed


def test_dataflow(hook, requests_mock):
    seed = SEED["flows"]
    schedule = validate_schedule("minute", 15, 1710267858)
    hook.ensure_dataflow(
        seed["name"],
        source_connection_id=seed["sourceConnectionIds"][0],
        target_connection_id=seed["targetConnectionIds"][0],
        mapping_id=seed["transformations"][0]["params"]["mappingId"],
        mapping_version=0,
        schedule_params=schedule,
        description=seed["description"],
    )
    assert sent(requests_mock, "flows") == seed
