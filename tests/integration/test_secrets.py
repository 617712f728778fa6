"""With DEBUG logging, no secret reaches task logs, XCom, rendered templates or raised messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from aep_testing import CLIENT_SECRET, STRIPE_KEY, aep_connection, return_values

DAG_ID = "stripe_to_aep_onboarding"


def airflow_dags_test(aep, conf: dict) -> str:
    """Run `airflow dags test` at DEBUG level in a fresh process; return everything it printed."""
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "DEBUG",
            "AIRFLOW_CONN_AEP_DEFAULT": json.dumps(aep_connection(aep, max_attempts=2)),
            "AIRFLOW_CONN_STRIPE_DEFAULT": json.dumps({"conn_type": "stripe", "password": STRIPE_KEY}),
        }
    )
    airflow = str(Path(sys.executable).with_name("airflow"))
    result = subprocess.run(
        [airflow, "dags", "test", DAG_ID, "--conf", json.dumps(conf)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return result.stdout + result.stderr


def latest_run_id() -> str:
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        run = session.query(DagRun).filter(DagRun.dag_id == DAG_ID).order_by(DagRun.id.desc()).first()
        return run.run_id


def rendered_fields(run_id: str) -> str:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields as Rendered
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(Rendered).filter(Rendered.dag_id == DAG_ID, Rendered.run_id == run_id).all()
        assert rows, "no rendered template fields were stored"
        return json.dumps([row.rendered_fields for row in rows], default=str)


AIRFLOW_IN_PROCESS_COMMS = re.compile(r"Sending request .*loc=supervisor\.py:\d+ msg=MaskSecret\(")


def without_airflow_dag_test_comms(output: str) -> str:
    """Drop the lines in which Airflow's *in-process* test supervisor (used only by `dags test` and
    `dag.test()`) logs, at DEBUG, each MaskSecret message it carries, value included. That is
    Airflow's own line (`InProcessSupervisorComms.send`); the real supervisor omits the body. It
    appears for every secret any task registers, so it is excluded here and noted in
    docs/development.md."""
    return "\n".join(line for line in output.splitlines() if not AIRFLOW_IN_PROCESS_COMMS.search(line))


def assert_no_secret(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked into {where}"


@pytest.mark.usefixtures("airflow_db")
def test_no_secret_leaks_at_debug_level(aep):
    output = airflow_dags_test(aep, {"name_prefix": "Secrets", "poll_interval": 0.2})
    assert "Requesting an IMS access token" in output, "DEBUG lines were not captured"
    assert "DagRun Finished" in output and "state=success" in output
    tokens = list(aep.state.tokens)
    assert tokens, "the emulator minted no token"
    secrets = [CLIENT_SECRET, STRIPE_KEY, *tokens]
    run_id = latest_run_id()
    assert_no_secret(without_airflow_dag_test_comms(output), secrets, "the task logs")
    xcom = {f"{task}.{key}": value for (task, key), value in return_values(DAG_ID, run_id).items()}
    assert xcom, "no XCom was stored"
    assert_no_secret(json.dumps(xcom, default=str), secrets, "XCom")
    assert_no_secret(rendered_fields(run_id), secrets, "rendered templates")


@pytest.mark.usefixtures("airflow_db")
def test_no_secret_leaks_when_tasks_fail(aep):
    aep.config.client_secret = "only-this-one"  # emulator setting
    output = airflow_dags_test(aep, {"name_prefix": "Failing", "poll_interval": 0.2})
    assert "invalid_client" in output, "the IMS rejection was not reported"
    assert "state=failed" in output
    assert_no_secret(
        without_airflow_dag_test_comms(output), [CLIENT_SECRET, STRIPE_KEY], "the failure messages"
    )
