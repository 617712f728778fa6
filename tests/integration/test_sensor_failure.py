"""A failed dataflow run fails the sensor, in a worker or through the trigger, with AEP's error codes;
against the emulator over real HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest
import requests
from aep_testing import aep_connection
from airflow.providers.common.compat.sdk import AirflowFailException, TaskDeferred

from airflow_provider_stripe_aep import stripe, xdm
from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
from airflow_provider_stripe_aep.validation import validate_schedule


def onboard(hook: AdobeExperiencePlatformHook) -> str:
    """The tutorial's steps through the hook; returns the new dataflow's ID."""
    base_id = hook.ensure_base_connection("base", auth_params={"accessToken": "k-123456"})
    source_id = hook.ensure_source_connection(
        "src", base_connection_id=base_id, params={"resourcePath": "refunds"}
    )
    explore = hook.explore(base_id, "refunds")
    tenant = hook.tenant_id()
    group = hook.ensure_field_group(
        xdm.build_field_group(explore, tenant_id=tenant, resource_path="refunds", title="fg")
    )
    schema_id = hook.ensure_schema(
        xdm.build_schema("s", class_id=stripe.PROFILE_CLASS_ID, field_group_ids=[group])
    )
    dataset_id = hook.ensure_dataset("ds", schema_id=schema_id)
    target_id = hook.ensure_target_connection("tgt", schema_id=schema_id, dataset_id=dataset_id)
    mappings = xdm.infer_mappings(explore, tenant_id=tenant, resource_path="refunds")
    mapping_id, version = hook.ensure_mapping_set("map", body=xdm.build_mapping_set(schema_id, mappings))
    return hook.ensure_dataflow(
        "flow",
        source_connection_id=source_id,
        target_connection_id=target_id,
        mapping_id=mapping_id,
        mapping_version=version,
        schedule_params=validate_schedule("once"),
    )


def first_event(trigger):
    async def run():
        async for event in trigger.run():
            return event

    return asyncio.run(run())


@pytest.fixture
def failing_flow(monkeypatch):
    """A dataflow whose run (under way for 2 s) is going to fail."""
    with EmulatorServer(EmulatorConfig(run_seconds=2.0)) as aep:
        monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
        flow_id = onboard(AdobeExperiencePlatformHook())
        response = requests.post(f"{aep.url}/_emulator/flows/{flow_id}/fail-runs", timeout=5)
        assert response.ok
        yield flow_id


def test_a_failed_run_fails_the_sensor_with_aep_error_codes(failing_flow):
    sensor = AEPDataflowRunSensor(task_id="wait", flow_id=failing_flow, poll_interval=0.2, timeout=30)
    with pytest.raises(AirflowFailException) as info:
        sensor.execute({})
    message = str(info.value)
    assert "failed" in message and "CONNECTOR-2001-500" in message


def test_a_failed_run_fails_the_deferred_sensor_too(failing_flow):
    sensor = AEPDataflowRunSensor(
        task_id="wait", flow_id=failing_flow, poll_interval=0.2, timeout=30, deferrable=True
    )
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({})
    trigger = deferred.value.trigger
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_stripe_aep.triggers.dataflow_run.AEPDataflowRunTrigger"
    event = first_event(type(trigger)(**kwargs)).payload
    assert event["status"] == "failed"
    with pytest.raises(AirflowFailException, match="CONNECTOR-2001-500"):
        sensor.execute_complete({}, event)
