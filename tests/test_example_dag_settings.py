"""The example onboarding DAGs keep the settings they share through `onboarding_dag_settings()`, and
their groups and validate tasks take every schedule-and-wait param as a template."""

from __future__ import annotations

from datetime import timedelta

import pendulum
import pytest
from aep_testing import load_dag

ONBOARDING_DAGS = ("stripe_to_aep_onboarding", "stripe_to_aep_all_resources", "payments_to_aep_onboarding")
TEMPLATED = ("frequency", "interval", "start_time", "class_id", "poll_interval", "deferrable")


@pytest.mark.parametrize("dag_id", ONBOARDING_DAGS)
def test_an_onboarding_dag_starts_2026_without_catchup_one_run_at_a_time_with_two_retries(dag_id):
    dag = load_dag(dag_id)
    assert dag.start_date == pendulum.datetime(2026, 1, 1, tz="UTC")
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.render_template_as_native_obj is True
    assert dag.default_args == {"retries": 2, "retry_delay": timedelta(seconds=15)}
    assert dag.get_task("create_base_connection").retries == 2


@pytest.mark.parametrize("dag_id", ONBOARDING_DAGS)
def test_the_validate_task_takes_each_schedule_and_wait_param_from_its_own_template(dag_id):
    validate = next(t for t in load_dag(dag_id).tasks if t.task_id.endswith("validate_params"))
    for name in TEMPLATED:
        assert getattr(validate, name) == "{{ params.%s }}" % name  # noqa: UP031
