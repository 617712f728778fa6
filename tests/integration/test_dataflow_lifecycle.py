"""Changing a dataflow (PATCH + If-Match, stale etag recovered), enable/disable twice, get-or-create
with on_conflict="update", against the emulator over real HTTP."""

from __future__ import annotations

import pytest
from aep_testing import onboard

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.operators.lifecycle import (
    AEPSetDataflowStateOperator,
    AEPUpdateDataflowOperator,
)
from airflow_provider_stripe_aep.validation import InvalidInputError, validate_schedule


def patches(aep, flow_id: str) -> list[dict]:
    return [r for r in aep.state.request_log if r["method"] == "PATCH" and r["path"].endswith(flow_id)]


def test_update_with_a_stale_etag_reads_again_and_succeeds(connections, mocker):
    aep = connections
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    stale = hook.get_dataflow(flow_id)
    hook.update_dataflow(flow_id, {"description": "changed by someone else"})  # the etag moves on
    real_get = hook.client.flows.get
    calls = []

    def first_read_is_stale(resource, resource_id):
        calls.append(resource_id)
        return stale if len(calls) == 1 else real_get(resource, resource_id)

    mocker.patch.object(hook.client.flows, "get", side_effect=first_read_is_stale)
    aep.state.request_log.clear()

    etag = hook.update_dataflow(flow_id, {"name": "renamed flow", "description": "day two"})

    flow = aep.state.sandbox("prod").flows[flow_id]
    assert (flow["name"], flow["description"], flow["etag"]) == ("renamed flow", "day two", etag)
    answers = [r["status"] for r in patches(aep, flow_id)]
    assert answers == [412, 200]


def test_update_changes_schedule_and_mapping_version_and_refuses_what_aep_forbids(connections):
    aep = connections
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    operator = AEPUpdateDataflowOperator(task_id="u", flow_id=flow_id, frequency="hour", interval=2)
    assert operator.execute({}) == flow_id
    flow = aep.state.sandbox("prod").flows[flow_id]
    assert (flow["scheduleParams"]["frequency"], flow["scheduleParams"]["interval"]) == ("hour", 2)
    assert hook.update_dataflow(flow_id, {"frequency": "hour", "interval": 2}) is None  # nothing to do

    aep.state.request_log.clear()
    with pytest.raises(InvalidInputError, match="startTime"):
        hook.update_dataflow(flow_id, {"start_time": 2_000_000_000})
    with pytest.raises(InvalidInputError, match="interval"):
        hook.update_dataflow(flow_id, {"frequency": "minute", "interval": 5})
    assert patches(aep, flow_id) == []

    hook.update_dataflow(flow_id, {"frequency": "once"})
    flow = aep.state.sandbox("prod").flows[flow_id]
    assert flow["scheduleParams"]["frequency"] == "once" and "interval" not in flow["scheduleParams"]
    mapping_id = flow["transformations"][0]["params"]["mappingId"]
    with pytest.raises(Exception, match=r"1412-400|mapping"):  # AEP itself refuses an unknown version
        hook.update_dataflow(flow_id, {"mapping_version": 7})
    assert aep.state.sandbox("prod").flows[flow_id]["transformations"][0]["params"]["mappingId"] == mapping_id


def test_disable_then_enable_and_twice_is_not_an_error(connections):
    aep = connections
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    flows = aep.state.sandbox("prod").flows
    disable = AEPSetDataflowStateOperator(task_id="d", flow_id=flow_id, state="disabled")
    assert disable.execute({}) == flow_id and flows[flow_id]["state"] == "disabled"
    assert disable.execute({}) == flow_id and flows[flow_id]["state"] == "disabled"
    assert hook.set_dataflow_enabled(flow_id, True) is True and flows[flow_id]["state"] == "enabled"
    assert hook.set_dataflow_enabled(flow_id, True) is False and flows[flow_id]["state"] == "enabled"
    actions = [r for r in aep.state.request_log if r["path"].endswith(f"{flow_id}/action")]
    assert [r["status"] for r in actions] == [200, 200]


def test_on_conflict_update_applies_the_new_schedule_instead_of_failing(connections):
    aep = connections
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    flow = aep.state.sandbox("prod").flows[flow_id]
    kwargs = {
        "source_connection_id": flow["sourceConnectionIds"][0],
        "target_connection_id": flow["targetConnectionIds"][0],
        "mapping_id": flow["transformations"][0]["params"]["mappingId"],
        "mapping_version": 0,
        "schedule_params": validate_schedule("day", 1),
    }
    with pytest.raises(Exception, match="differs"):
        hook.ensure_dataflow("flow", **kwargs)
    assert hook.ensure_dataflow("flow", on_conflict="update", **kwargs) == flow_id
    schedule = aep.state.sandbox("prod").flows[flow_id]["scheduleParams"]
    assert (schedule["frequency"], schedule["interval"]) == ("day", 1)
    assert len(aep.state.sandbox("prod").flows) == 1
