"""A failed dataflow run fails the sensor, in a worker or through the trigger, with AEP's error codes;
against the emulator over real HTTP."""

from __future__ import annotations

import asyncio
import json

import pytest
import requests
from aep_testing import aep_connection, onboard
from airflow.providers.common.compat.sdk import AirflowFailException, TaskDeferred

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger


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


def test_soft_fail_skips_instead_of_failing(failing_flow):
    from airflow.providers.common.compat.sdk import AirflowSkipException

    sensor = AEPDataflowRunSensor(
        task_id="wait", flow_id=failing_flow, latest_run=True, poll_interval=0.2, timeout=30, soft_fail=True
    )
    with pytest.raises(AirflowSkipException, match="CONNECTOR-2001-500"):
        sensor.execute({})


def test_asking_for_two_runs_at_once_is_refused():
    from airflow.providers.common.compat.sdk import AirflowFailException

    from airflow_provider_stripe_aep.validation import InvalidInputError

    sensor = AEPDataflowRunSensor(task_id="wait", flow_id="f", run_id="r", latest_run=True)
    with pytest.raises(AirflowFailException, match="at most one") as info:  # no retry can cure it
        sensor.execute({})
    assert isinstance(info.value.__cause__, InvalidInputError)


def test_the_timeout_holds_while_deferred(failing_flow):
    import time

    from airflow.providers.common.compat.sdk import AirflowSensorTimeout

    sensor = AEPDataflowRunSensor(
        task_id="wait", flow_id=failing_flow, started_after="2100-01-01T00:00:00+00:00", deferrable=True
    )
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute({})
    _, kwargs = deferred.value.trigger.serialize()
    assert kwargs["end_time"] > time.time() + 3600  # the sensor's timeout (2 h by default) goes with it
    kwargs["end_time"] = time.time()
    event = first_event(AEPDataflowRunTrigger(**kwargs)).payload
    assert event["status"] == "timeout" and event["summary"]["run_id"] is None
    with pytest.raises(AirflowSensorTimeout, match="did not end before the timeout"):
        sensor.execute_complete({}, event)
