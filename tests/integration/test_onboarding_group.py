"""The building block in a DAG of a user's own, between two of their tasks, run with dag.test()."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pendulum
import pytest
from aep_testing import load_dag, return_values
from airflow.providers.common.compat.sdk import DAG

from airflow_provider_stripe_aep.task_groups import (
    stripe_to_aep_onboarding_group,
    table_to_aep_onboarding_group,
)
from airflow_provider_stripe_aep.validation import InvalidInputError

pytestmark = pytest.mark.usefixtures("airflow_db")


USER_DAGS = Path(__file__).parent / "user_dags"


def build(dag_id: str) -> Any:
    return load_dag(dag_id, USER_DAGS / f"{dag_id}.py")


@pytest.mark.slow
def test_the_group_runs_between_two_user_tasks_and_hands_over_its_outputs(connections, monkeypatch):
    aep = connections
    # dag.test() on Airflow 3 looks the DAG up in the DAGs folder: point it at the user's one.
    monkeypatch.setattr("airflow.settings.DAGS_FOLDER", str(USER_DAGS))
    dag = build("user_dag_with_onboarding")
    upstream = {t.task_id: {u.task_id for u in t.upstream_list} for t in dag.tasks}
    assert upstream["onboard_refunds.validate_params"] == {"extract"}
    assert upstream["onboard_refunds.create_base_connection"] == {"onboard_refunds.validate_params"}
    assert "onboard_refunds.wait_for_run" in upstream["notify"]

    dagrun = dag.test()
    assert str(dagrun.state).endswith("success")
    xcom = return_values(dag.dag_id, dagrun.run_id)
    flow_id = xcom[("onboard_refunds.create_dataflow", "return_value")]
    flow = aep.state.sandbox("prod").flows[flow_id]
    assert flow["name"] == "Mine Stripe refunds dataflow"
    assert flow["scheduleParams"]["frequency"] == "day"
    assert flow["scheduleParams"]["interval"] == 1
    notified = xcom[("notify", "return_value")]
    assert notified["flow"] == flow_id
    assert notified["run"]["status"] == "success"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"resource_path": "chargez"}, "resource_path"),
        ({"frequency": "minute", "interval": 5}, "interval"),
        ({"frequency": "once", "interval": 1}, "interval"),
        ({"name_prefix": ""}, "name_prefix"),
        ({"class_id": "person"}, "class_id"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"deferrable": "maybe"}, "deferrable"),
        ({"start_time": "yesterday"}, "start_time"),
    ],
)
def test_bad_literal_arguments_fail_when_the_dag_is_parsed(kwargs, field):
    args = {"resource_path": "charges", **kwargs}
    with DAG("bad_block", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")):
        with pytest.raises(InvalidInputError) as caught:
            stripe_to_aep_onboarding_group(args.pop("resource_path"), **args)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"class_id": "experienceevent"}, "id_column"),
        ({"class_id": "experienceevent", "id_column": "Id", "timestamp_column": "At"}, "timestamp_format"),
        ({"id_column": "Id"}, "id_column"),
        ({"table_path": "Pay Pal"}, "table_path"),
    ],
)
def test_bad_literal_table_arguments_fail_when_the_dag_is_parsed(kwargs, field):
    args = {"table_path": "PayPal.Catalog_Products", **kwargs}
    with DAG("bad_table_block", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")):
        with pytest.raises(InvalidInputError) as caught:
            table_to_aep_onboarding_group(args.pop("table_path"), **args)
    assert caught.value.field == field


def test_literal_experience_event_columns_are_handed_to_the_check_and_mapping_tasks():
    with DAG("event_block", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")) as dag:
        group = table_to_aep_onboarding_group(
            "PayPal.Catalog_Products",
            class_id="experienceevent",
            id_column="Product_Id",
            timestamp_column="updatedAt",
            timestamp_format="epoch_seconds",
        )
    upstream = {t.task_id: {u.task_id for u in t.upstream_list} for t in dag.tasks}
    prefix = f"{group.group_id}."
    # it reads the columns validate_params checked and the explore response
    assert upstream[prefix + "check_columns"] == {prefix + "explore_table", prefix + "validate_params"}
    assert prefix + "check_columns" in upstream[prefix + "create_source_connection"]
    assert prefix + "check_columns" in upstream[prefix + "create_target_schema"]
    mapping = dag.get_task(prefix + "create_mapping_set")
    assert (mapping.id_column, mapping.timestamp_column, mapping.timestamp_format) == (
        "Product_Id",
        "updatedAt",
        "epoch_seconds",
    )
