"""The client's lifecycle calls against the emulator: PATCH with If-Match, enable/disable, delete."""

from __future__ import annotations

import json

import pytest
from aep_testing import aep_connection, onboard

from airflow_provider_stripe_aep.client import AEPConflictError, AEPNotFoundError
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook


@pytest.fixture
def flows(aep, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    hook = AdobeExperiencePlatformHook()
    return hook.client.flows, onboard(hook)


def test_patch_needs_the_current_etag(flows):
    api, flow_id = flows
    etag = api.get("flows", flow_id)["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    changed = api.patch("flows", flow_id, [{"op": "replace", "path": "/name", "value": "renamed"}], etag)
    assert changed["etag"] != etag
    assert api.get("flows", flow_id)["name"] == "renamed"
    with pytest.raises(AEPConflictError) as info:
        api.patch("flows", flow_id, [{"op": "replace", "path": "/name", "value": "again"}], etag)
    assert info.value.status == 412 and info.value.code == "FLOW-1404-412"


def test_disable_enable_and_delete_a_flow(flows):
    api, flow_id = flows
    api.flow_action(flow_id, "disable")
    assert api.get("flows", flow_id)["state"] == "disabled"
    api.flow_action(flow_id, "enable")
    assert api.get("flows", flow_id)["state"] == "enabled"
    api.delete("flows", flow_id)
    with pytest.raises(AEPNotFoundError):
        api.get("flows", flow_id)


@pytest.mark.usefixtures("flows")
def test_a_flow_spec_is_found_by_name():
    from airflow_provider_stripe_aep.resources import platform

    hook = AdobeExperiencePlatformHook()
    assert hook.flow_spec_id("RestStorageToPlatform") == platform.REST_FLOW_SPEC_ID
    with pytest.raises(Exception, match="No flow spec named 'NoSuchSpec'"):
        hook.flow_spec_id("NoSuchSpec")
