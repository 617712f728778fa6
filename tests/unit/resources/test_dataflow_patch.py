from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.resources.dataflow_patch import plan_dataflow_patch
from airflow_provider_stripe_aep.validation import InvalidInputError

NOW = 1_800_000_000
FLOW = {
    "name": "flow",
    "description": "",
    "state": "enabled",
    "scheduleParams": {"startTime": str(NOW - 3600), "frequency": "once"},
    "transformations": [{"name": "Mapping", "params": {"mappingId": "m1", "mappingVersion": 0}}],
}


def plan(changes, flow=FLOW):
    return plan_dataflow_patch(flow, changes, now=NOW)


def test_name_and_description_are_replaced_only_when_they_change():
    assert plan({"name": "flow", "description": ""}) == []
    assert plan({"name": "new", "description": "d"}) == [
        {"op": "replace", "path": "/name", "value": "new"},
        {"op": "replace", "path": "/description", "value": "d"},
    ]


def test_once_to_hourly_adds_the_interval():
    assert plan({"frequency": "hour", "interval": 3}) == [
        {"op": "replace", "path": "/scheduleParams/frequency", "value": "hour"},
        {"op": "add", "path": "/scheduleParams/interval", "value": 3},
    ]


def test_back_to_once_removes_the_interval():
    hourly = {**FLOW, "scheduleParams": {"startTime": "1", "frequency": "hour", "interval": 3}}
    assert plan({"frequency": "once"}, hourly) == [
        {"op": "replace", "path": "/scheduleParams/frequency", "value": "once"},
        {"op": "remove", "path": "/scheduleParams/interval"},
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"frequency": "minute", "interval": 14}, "interval"),
        ({"frequency": "hourly"}, "frequency"),
        ({"interval": 5}, "interval"),  # once takes no interval
        ({"start_time": NOW + 60}, "start_time"),  # the original startTime has passed
        ({"mapping_version": "latest"}, "mapping_version"),
        ({"colour": "red"}, "changes"),
        ({"name": ""}, "name"),
    ],
)
def test_what_aep_forbids_is_refused_before_any_call(changes, field):
    with pytest.raises(InvalidInputError) as info:
        plan(changes)
    assert info.value.field == field


def test_start_time_may_change_while_it_is_still_ahead():
    future = {**FLOW, "scheduleParams": {"startTime": str(NOW + 3600), "frequency": "once"}}
    assert plan({"start_time": NOW + 7200}, future) == [
        {"op": "replace", "path": "/scheduleParams/startTime", "value": str(NOW + 7200)}
    ]


def test_a_new_mapping_version_replaces_the_mapping_transformation():
    assert plan({"mapping_version": 2}) == [
        {
            "op": "replace",
            "path": "/transformations/0",
            "value": {"name": "Mapping", "params": {"mappingId": "m1", "mappingVersion": 2}},
        }
    ]
    assert plan({"mapping_version": "0"}) == []


def test_a_flow_in_a_transitional_state_is_not_updated():
    with pytest.raises(InvalidInputError, match="enabled, disabled, initializing"):
        plan({"name": "x"}, {**FLOW, "state": "disabling"})


@pytest.mark.parametrize(
    "read_back",
    [
        {"startTime": "1", "frequency": "hour", "interval": "3", "backfill": "true"},  # tutorial GET
        {"startTime": 1, "frequency": "hour", "interval": 3, "backfill": True},  # spec GET
    ],
    ids=["strings", "typed"],
)
def test_a_schedule_read_back_in_either_spelling_needs_no_patch(read_back):
    flow = {**FLOW, "scheduleParams": read_back}
    assert plan({"frequency": "hour", "interval": 3, "backfill": True}, flow) == []
    assert plan({"frequency": "hour", "interval": 3, "backfill": False}, flow) == [
        {"op": "replace", "path": "/scheduleParams/backfill", "value": False}
    ]
