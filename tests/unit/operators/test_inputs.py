"""Bad operator input is rejected with a message naming the field, before any HTTP request."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_stripe_aep.operators.connections import (
    AEPCreateSourceConnectionOperator,
    AEPCreateStripeBaseConnectionOperator,
    AEPCreateStripeSourceConnectionOperator,
    AEPCreateTargetConnectionOperator,
    AEPExploreStripeResourceOperator,
)
from airflow_provider_stripe_aep.operators.dataflow import AEPCreateDataflowOperator
from airflow_provider_stripe_aep.operators.mapping import AEPCreateMappingSetOperator
from airflow_provider_stripe_aep.operators.schema import (
    AEPCreateDatasetOperator,
    AEPCreateTargetSchemaOperator,
)
from airflow_provider_stripe_aep.sensors.dataflow_run import AEPDataflowRunSensor
from airflow_provider_stripe_aep.validation import InvalidInputError

EXPLORE = {"schema": {"properties": {"data": {"properties": {"id": {"type": "string"}}}}}}
FLOW_OK = dict(
    name="flow", source_connection_id="s1", target_connection_id="t1", mapping_id="m1", frequency="once"
)

CASES = [
    (AEPCreateStripeBaseConnectionOperator, {"name": ""}, "name"),
    (AEPCreateStripeBaseConnectionOperator, {"name": "x" * 300}, "name"),
    (
        AEPExploreStripeResourceOperator,
        {"base_connection_id": "b1", "resource_path": "chargez"},
        "resource_path",
    ),
    (
        AEPExploreStripeResourceOperator,
        {"base_connection_id": "b1", "resource_path": "Charges"},
        "resource_path",
    ),
    (
        AEPExploreStripeResourceOperator,
        {"base_connection_id": None, "resource_path": "charges"},
        "base_connection_id",
    ),
    (
        AEPExploreStripeResourceOperator,
        {"base_connection_id": "None", "resource_path": "charges"},
        "base_connection_id",
    ),
    (
        AEPCreateStripeSourceConnectionOperator,
        {"name": "s", "base_connection_id": "b1", "resource_path": "invoices"},
        "resource_path",
    ),
    (
        AEPCreateStripeSourceConnectionOperator,
        {"name": "s", "base_connection_id": "", "resource_path": "charges"},
        "base_connection_id",
    ),
    (
        AEPCreateSourceConnectionOperator,
        {
            "name": "s",
            "base_connection_id": "b",
            "connection_spec_id": "c",
            "source_params": {},
            "data_format": "xml",
        },
        "data_format",
    ),
    (
        AEPCreateTargetSchemaOperator,
        {"title": "t", "explore_schema": EXPLORE, "resource_path": "x"},
        "resource_path",
    ),
    (
        AEPCreateTargetSchemaOperator,
        {"title": "t", "explore_schema": EXPLORE, "resource_path": "charges", "class_id": "record"},
        "class_id",
    ),
    (
        AEPCreateTargetSchemaOperator,
        {"title": "t", "explore_schema": None, "resource_path": "charges"},
        "explore_schema",
    ),
    (
        AEPCreateTargetSchemaOperator,
        {"title": " ", "explore_schema": EXPLORE, "resource_path": "charges"},
        "title",
    ),
    (AEPCreateDatasetOperator, {"name": "d", "schema_id": ""}, "schema_id"),
    (AEPCreateDatasetOperator, {"name": "", "schema_id": "https://ns.adobe.com/t/schemas/1"}, "name"),
    (AEPCreateTargetConnectionOperator, {"name": "t", "schema_id": "s", "dataset_id": ["d"]}, "dataset_id"),
    (
        AEPCreateMappingSetOperator,
        {"name": "m", "schema_id": "s", "explore_schema": "{}", "resource_path": "charges"},
        "explore_schema",
    ),
    (AEPCreateMappingSetOperator, {"name": "m", "schema_id": None, "explore_schema": EXPLORE}, "schema_id"),
    (
        AEPCreateMappingSetOperator,
        {
            "name": "m",
            "schema_id": "s",
            "explore_schema": EXPLORE,
            "resource_path": "charges",
            "tenant_id": "a b",
        },
        "tenant_id",
    ),
    (AEPCreateDataflowOperator, {**FLOW_OK, "frequency": "hourly"}, "frequency"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "frequency": "minute", "interval": 14}, "interval"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "frequency": "minute", "interval": None}, "interval"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "frequency": "once", "interval": 15}, "interval"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "frequency": "once", "backfill": True}, "backfill"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "frequency": "day", "interval": 0}, "interval"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "start_time": 1710267858000}, "start_time"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "start_time": "yesterday"}, "start_time"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "source_connection_id": None}, "source_connection_id"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "mapping_id": ""}, "mapping_id"),
    (AEPDataflowRunSensor, {"flow_id": ""}, "flow_id"),
    (AEPDataflowRunSensor, {"flow_id": "f1", "poll_interval": "0"}, "poll_interval"),
    (AEPDataflowRunSensor, {"flow_id": "f1", "deferrable": "maybe"}, "deferrable"),
    (AEPDataflowRunSensor, {"flow_id": "f1", "poke_interval": 0}, "poke_interval"),
    (AEPDataflowRunSensor, {"flow_id": "f1", "max_failed_ratio": 2}, "max_failed_ratio"),
    (AEPCreateDataflowOperator, {**FLOW_OK, "flow_spec_id": "a", "flow_spec_name": "b"}, "flow_spec_name"),
]


@pytest.fixture(autouse=True)
def connections(monkeypatch):
    aep = {
        "conn_type": "adobe_experience_platform",
        "login": "cid",
        "password": "sec",
        "extra": {"org_id": "O@AdobeOrg"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep))
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_DEFAULT", json.dumps({"conn_type": "stripe", "password": "sk"}))


@pytest.mark.parametrize(
    ("operator", "kwargs", "field"), CASES, ids=[f"{c[0].__name__}-{c[2]}-{i}" for i, c in enumerate(CASES)]
)
def test_bad_input_is_rejected_before_any_request(requests_mock, operator, kwargs, field):
    task = operator(task_id="t", **kwargs)
    # Every AEP task, sensor included, fails without retries (AirflowFailException caused by the input).
    with pytest.raises(AirflowFailException) as info:
        task.execute({"ti": mock.MagicMock()})
    cause = info.value.__cause__
    assert isinstance(cause, InvalidInputError)
    assert cause.field == field
    assert field in str(info.value)
    assert requests_mock.call_count == 0


def test_case_table_is_large_enough():
    assert len(CASES) >= 20


def test_on_conflict_is_checked_when_the_dag_is_parsed():
    with pytest.raises(InvalidInputError, match="on_conflict"):
        AEPCreateDatasetOperator(task_id="t", name="d", schema_id="s", on_conflict="overwrite")


def test_per_task_retry_settings_override_the_connection_extras(monkeypatch):
    aep = {
        "conn_type": "adobe_experience_platform",
        "login": "cid",
        "password": "sec-0123456789",
        "extra": {"org_id": "O@AdobeOrg", "max_attempts": 7, "backoff_max": 9},
    }
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep))
    task = AEPCreateDatasetOperator(task_id="t", name="d", schema_id="s", retry_overrides={"max_attempts": 2})
    retry = task.hook.client_config.retry
    assert retry.max_attempts == 2 and retry.backoff_max == 9
    assert "sec-0123456789" not in repr(task.hook) + repr(task.hook.client_config) + repr(task.hook.client)
