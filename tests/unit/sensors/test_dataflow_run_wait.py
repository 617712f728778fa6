"""The run sensor honours a user's `poke_interval` and never defers without a deadline."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from airflow.providers.common.compat.sdk import TaskDeferred

from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor

RUNNING = {"id": "r1", "flowId": "f1", "metrics": {"statusSummary": {"status": "inProgress"}}}


def _sensor(**kwargs):
    sensor = AEPDataflowRunSensor(task_id="wait", flow_id="f1", run_id="r1", **kwargs)
    hook = mock.MagicMock()
    hook.ui_context.return_value = {"org_id": "O@AdobeOrg", "sandbox": "prod"}
    hook.find_run.return_value = RUNNING
    sensor.__dict__["hook"] = hook  # the cached property: no connection, no HTTP
    return sensor


def test_deferred_wait_polls_at_the_users_poke_interval_and_has_a_timeout():
    sensor = _sensor(poke_interval=7, deferrable=True, timeout=600)
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({"ti": mock.MagicMock()})
    assert info.value.trigger.poll_interval == 7
    assert info.value.timeout is not None
    assert datetime.timedelta(seconds=600) <= info.value.timeout <= datetime.timedelta(seconds=600 + 7)


def test_poll_interval_is_used_when_no_poke_interval_is_given():
    sensor = _sensor(poll_interval=11, deferrable=True)
    with pytest.raises(TaskDeferred) as info:
        sensor.execute({"ti": mock.MagicMock()})
    assert info.value.trigger.poll_interval == 11


def test_worker_wait_pokes_at_the_users_poke_interval():
    sensor = _sensor(poke_interval=3, poll_interval=40, deferrable=False)
    with mock.patch("airflow.providers.common.compat.sdk.BaseSensorOperator.execute") as base_execute:
        sensor.execute({"ti": mock.MagicMock()})
    base_execute.assert_called_once()
    assert sensor.poke_interval == 3
