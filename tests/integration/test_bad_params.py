"""Bad params stop every example onboarding DAG before any request: neither the platform nor IMS sees
a single call, and the failure names the field.

Two layers catch them: the DAG's Param JSON schemas (dag.test() raises before the run starts, as a
trigger from the UI or API would be refused), and the `validate_params` task, first of the run, for
what schemas cannot express (interval with frequency, start time, names, class, mappings).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aep_testing import EXAMPLE_DAGS, load_dag
from airflow.providers.common.compat.sdk import ParamValidationError

from airflow_provider_stripe_aep.operators.checks import AEPValidateOnboardingOperator

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("airflow_db")]

# Params every onboarding DAG has: (conf, the field the failure must name).
COMMON: list[tuple[dict[str, Any], str]] = [
    ({"frequency": "monthly"}, "frequency"),
    ({"frequency": "Minute", "interval": 15}, "frequency"),
    ({"frequency": "minute", "interval": 5}, "interval"),
    ({"frequency": "once", "interval": 10}, "interval"),
    ({"frequency": "hour"}, "interval"),
    ({"frequency": "day", "interval": 0}, "interval"),
    ({"frequency": "week", "interval": 1.5}, "interval"),
    ({"start_time": "not a date"}, "start_time"),
    ({"start_time": 1710267858000}, "start_time"),
    ({"start_time": -5}, "start_time"),
    ({"name_prefix": ""}, "name_prefix"),
    ({"name_prefix": "   "}, "name_prefix"),
    ({"name_prefix": "bad\nprefix"}, "name_prefix"),
    ({"class_id": "person"}, "class_id"),
    ({"poll_interval": 0}, "poll_interval"),
    ({"poll_interval": 7200}, "poll_interval"),
    ({"deferrable": "yes"}, "deferrable"),
]

# A table source's ExperienceEvent: the columns its _id and timestamp come from.
EVENT = {
    "class_id": "experienceevent",
    "id_column": "Product_Id",
    "timestamp_column": "updatedAt",
    "timestamp_format": "yyyy-MM-dd HH:mm:ss",
}

CASES: list[tuple[str, dict[str, Any], str]] = [
    *[("stripe_to_aep_onboarding", conf, field) for conf, field in COMMON],
    ("stripe_to_aep_onboarding", {"resource_path": "chargez"}, "resource_path"),
    ("stripe_to_aep_onboarding", {"resource_path": "Charges"}, "resource_path"),
    ("stripe_to_aep_onboarding", {"resource_path": ""}, "resource_path"),
    ("stripe_to_aep_onboarding", {"on_schema_change": "grow"}, "on_schema_change"),
    ("stripe_to_aep_onboarding", {"on_conflict": "replace"}, "on_conflict"),
    ("stripe_to_aep_onboarding", {"plan_only": "yes"}, "plan_only"),
    *[("stripe_to_aep_all_resources", conf, field) for conf, field in COMMON],
    ("stripe_to_aep_all_resources", {"resource_paths": []}, "resource_paths"),
    ("stripe_to_aep_all_resources", {"resource_paths": ["chargez"]}, "resource_paths"),
    ("stripe_to_aep_all_resources", {"resource_paths": ["charges", "charges"]}, "resource_paths"),
    ("stripe_to_aep_all_resources", {"resource_paths": "charges"}, "resource_paths"),
    *[("payments_to_aep_onboarding", conf, field) for conf, field in COMMON],
    ("payments_to_aep_onboarding", {"table_path": ""}, "table_path"),
    ("payments_to_aep_onboarding", {"table_path": "PayPal Catalog"}, "table_path"),
    ("payments_to_aep_onboarding", {"delta_column": ""}, "delta_column"),
    ("payments_to_aep_onboarding", {"delta_column": "  "}, "delta_column"),
    ("payments_to_aep_onboarding", {"mappings": []}, "mappings"),
    ("payments_to_aep_onboarding", {"mappings": [{"foo": "bar"}]}, "mappings"),
    ("payments_to_aep_onboarding", {"class_id": "experienceevent"}, "id_column"),
    ("payments_to_aep_onboarding", {**EVENT, "timestamp_column": None}, "timestamp_column"),
    ("payments_to_aep_onboarding", {**EVENT, "timestamp_format": "epoch"}, "timestamp_format"),
    ("payments_to_aep_onboarding", {**EVENT, "timestamp_format": "HH:mm"}, "timestamp_format"),
    ("payments_to_aep_onboarding", {**EVENT, "class_id": "profile"}, "id_column"),
    ("payments_to_aep_onboarding", {"timestamp_column": ""}, "timestamp_column"),
]


def dag(dag_id: str) -> Any:
    """Parsed afresh (its file only) for each case: dag.test() runs the tasks in this process and
    leaves their rendered values on them, which a second run of the same DAG object would reuse."""
    return load_dag(dag_id, EXAMPLE_DAGS / f"{dag_id}.py")


@pytest.fixture
def platform(connections):
    connections.state.request_log.clear()
    return connections


def test_every_dag_has_at_least_15_bad_param_cases():
    for dag_id in ("stripe_to_aep_onboarding", "stripe_to_aep_all_resources", "payments_to_aep_onboarding"):
        assert sum(1 for case in CASES if case[0] == dag_id) >= 15


@pytest.mark.parametrize(
    ("dag_id", "conf", "field"), CASES, ids=[f"{d}-{json.dumps(c)[:60]}" for d, c, _ in CASES]
)
def test_bad_params_send_no_request_and_name_the_field(platform, mocker, dag_id, conf, field):
    checked = mocker.spy(AEPValidateOnboardingOperator, "check")
    parsed = dag(dag_id)
    try:
        dagrun = parsed.test(run_conf=conf)
    except ParamValidationError as exc:  # refused by the Param schemas before the run starts
        message = str(exc)
    else:
        assert str(dagrun.state).endswith("failed")
        states = {ti.task_id: str(ti.state) for ti in dagrun.get_task_instances()}
        ran = [t for t, s in states.items() if t != "validate_params" and s.endswith(("success", "running"))]
        assert ran == [], states
        assert checked.spy_exception is not None
        message = str(checked.spy_exception)
    assert field in message, (message, checked.spy_return)
    assert platform.state.request_log == []
