"""Permanent errors fail the task at once, transient ones keep Airflow's retries: the onboarding DAG
run with dag.test() against the emulator over real HTTP, its task instances read back from the
metadata database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from aep_testing import CLIENT_SECRET, aep_connection, load_dag, requests_to

DAG_ID = "stripe_to_aep_onboarding"
FIRST_TASK = "create_base_connection"


def _final_try(run_id: str, task_id: str) -> tuple[int, str]:
    """(try_number, state) of a task instance as the metadata database holds it at the end."""
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        ti = session.query(TaskInstance).filter_by(dag_id=DAG_ID, run_id=run_id, task_id=task_id).one()
        return ti.try_number, str(ti.state).rsplit(".", 1)[-1].lower()


@pytest.mark.usefixtures("airflow_db")
def test_a_wrong_client_secret_fails_the_first_task_once_without_retry(connections, monkeypatch):
    aep = connections
    aep.config.client_secret = CLIENT_SECRET  # IMS now refuses any other secret
    wrong = {**aep_connection(aep), "password": "a-wrong-secret-4711"}
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(wrong))
    dag = load_dag(DAG_ID)
    assert dag.task_dict[FIRST_TASK].retries == 2  # retries are on: the failure must not use them
    dagrun = dag.test(run_conf={"name_prefix": "Wrong secret", "poll_interval": 0.2})

    assert str(dagrun.state).endswith("failed")
    # dag.test() runs a try that went up for retry again; a task that ends failed in try 1 had none.
    assert _final_try(dagrun.run_id, FIRST_TASK) == (1, "failed")
    assert len(requests_to(aep, path="/ims/token/v3")) == 1  # refused once, asked once: nothing retried
    assert [r for r in aep.state.request_log if r["path"].startswith("/data/")] == []


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_a_transient_error_still_goes_up_for_retry(connections, monkeypatch):
    aep = connections
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep, max_attempts=2)))
    # The first try's lookup is answered 503 on both of the client's attempts.
    aep.add_fault({"kind": "503", "times": 2, "methods": ["GET"], "path_regex": "/flowservice/connections$"})
    dag = load_dag(DAG_ID)
    dag.task_dict[FIRST_TASK].retry_delay = timedelta(0)
    dagrun = dag.test(run_conf={"name_prefix": "Transient", "poll_interval": 0.2})

    assert str(dagrun.state).endswith("success")
    # Try 1 failed on the 503s and went up for retry; try 2 found the way clear.
    assert _final_try(dagrun.run_id, FIRST_TASK) == (2, "success")
    lookups = [r["status"] for r in aep.state.request_log if r["path"].endswith("/flowservice/connections")]
    assert lookups[:3] == [503, 503, 200]


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_a_rerun_with_another_schedule_fails_once_naming_the_difference(connections, caplog, capsys):
    aep = connections
    conf = {"name_prefix": "Changed", "poll_interval": 0.2}
    first = load_dag(DAG_ID).test(run_conf=conf)
    assert str(first.state).endswith("success")
    flows_before = dict(aep.state.sandbox("prod").flows)
    capsys.readouterr()

    second = load_dag(DAG_ID).test(run_conf={**conf, "frequency": "hour", "interval": 1})

    assert str(second.state).endswith("failed")
    assert _final_try(second.run_id, "create_dataflow") == (1, "failed")
    assert aep.state.sandbox("prod").flows == flows_before  # nothing created, nothing changed
    logged = caplog.text + capsys.readouterr().out  # Airflow 3 logs through structlog to stdout
    assert "A dataflow named 'Changed Stripe charges dataflow' already exists" in logged
    assert "scheduleParams.frequency: existing 'once' != asked 'hour'" in logged


def _task_states(dag_id: str, run_id: str) -> dict[str, tuple[int, str]]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = session.query(TaskInstance).filter_by(dag_id=dag_id, run_id=run_id).all()
        return {ti.task_id: (ti.try_number, str(ti.state).rsplit(".", 1)[-1].lower()) for ti in tis}


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
@pytest.mark.parametrize(
    ("dag_id", "env", "value", "named"),
    [
        ("payments_to_aep_onboarding", "AIRFLOW_CONN_PAYPAL_DEFAULT", None, "connection paypal_default"),
        (DAG_ID, "AIRFLOW_CONN_STRIPE_DEFAULT", None, "connection stripe_default"),
        (
            DAG_ID,
            "AIRFLOW_CONN_AEP_DEFAULT",
            {"conn_type": "adobe_experience_platform"},
            "'aep_default': Client ID",
        ),
    ],
)
def test_a_connection_the_run_needs_fails_validate_params_at_once_naming_it(
    connections, monkeypatch, caplog, capsys, dag_id, env, value, named
):
    aep = connections
    if value is None:
        monkeypatch.delenv(env, raising=False)
    else:
        monkeypatch.setenv(env, json.dumps(value))
    dag = load_dag(dag_id)
    aep.state.request_log.clear()
    dagrun = dag.test(run_conf={"name_prefix": "No connection", "poll_interval": 0.2})

    assert str(dagrun.state).endswith("failed")
    states = _task_states(dag_id, dagrun.run_id)
    check = next(task for task in states if task.endswith("validate_params"))
    assert states[check] == (1, "failed")  # at once, no retry
    base = next(task for task in states if task.endswith("create_base_connection"))
    assert states[base][1] == "upstream_failed"  # nothing else ran
    assert aep.state.request_log == []  # not one request to AEP
    captured = capsys.readouterr()
    assert named in caplog.text + captured.out + captured.err
