"""Why a run lost records, end to end: the onboarding DAG (`airflow dags test`, real Airflow) against
the emulator with 3 % failed rows. By default (AEP's 0.5 % rule) `wait_for_run` fails naming the
error codes, counts and XDM paths; with max_failed_ratio=0.05 it succeeds and its XCom holds the
same summary. A value planted in every failed row (Stripe records hold names and e-mails) appears in
no log line and no XCom."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from aep_testing import return_values

from airflow_provider_stripe_aep.emulator import EmulatorConfig
from airflow_provider_stripe_aep.emulator.config import FailedRows
from airflow_provider_stripe_aep.pytest_plugin import connection_env

AIRFLOW_2 = version("apache-airflow").startswith("2.")
DAG_ID = "stripe_to_aep_onboarding"
PLANTED = "Planted Person <planted.7q4x@example.com>"
CODES = ("MAPPER-3700-400", "INGEST-1555-400")
pytestmark = pytest.mark.usefixtures("airflow_db")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    """Every run ingests 100 records, 3 of which fail (2 MAPPER-3700-400, 1 INGEST-1555-400)."""
    rows = FailedRows(share=0.03, codes=CODES, records=100, value=PLANTED)
    return EmulatorConfig(run_seconds=0.5, run_interval_seconds=1.0, failed_rows=rows)


def dags_test(aep, conf: dict) -> tuple[str, str, dict]:
    """`airflow dags test` in a fresh process; (output, DAG run state, XComs of the run)."""
    env = {**os.environ, **connection_env(aep)}
    airflow = str(Path(sys.executable).with_name("airflow"))
    result = subprocess.run(
        [airflow, "dags", "test", DAG_ID, "--conf", json.dumps(conf)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        run = session.query(DagRun).filter(DagRun.dag_id == DAG_ID).order_by(DagRun.id.desc()).first()
        state, run_id = str(run.state), run.run_id
    return result.stdout + result.stderr, state, return_values(DAG_ID, run_id)


def assert_nothing_planted(output: str, xcom: dict) -> None:
    for needle in (PLANTED, "planted.7q4x", "Planted Person"):
        assert needle not in output, "a failed record's value reached the logs"
        assert needle not in json.dumps(list(xcom.values()), default=str), (
            "a failed record's value reached XCom"
        )


def test_the_default_policy_fails_the_run_with_codes_counts_and_paths(aep):
    output, state, xcom = dags_test(aep, {"name_prefix": "Diag", "poll_interval": 0.2})
    assert state.endswith("failed")
    assert ("wait_for_run", "return_value") not in xcom
    failure = next(line for line in output.splitlines() if "why: " in line)
    assert "more than AEP's 0.5% ingestion-failure rule" in failure
    assert "3 of 100 records failed (3.0%)" in failure
    assert "MAPPER-3700-400 (2 rows)" in failure and "INGEST-1555-400 (1 row)" in failure
    assert "XDM paths: _emulatortenant.charges_data." in failure
    # The diagnostics were read from AEP's documented Data Access endpoints.
    exports = [r for r in aep.state.request_log if r["path"].startswith("/data/foundation/export/")]
    assert {r["path"].rsplit("/", 1)[-1] for r in exports} == {"meta", "failed"}
    assert_nothing_planted(output, xcom)


def test_a_higher_ceiling_succeeds_and_the_xcom_holds_the_same_summary(aep):
    conf = {"name_prefix": "Diag5", "poll_interval": 0.2, "max_failed_ratio": 0.05}
    output, state, xcom = dags_test(aep, conf)
    assert state.endswith("success"), output[-3000:]
    run = xcom[("wait_for_run", "return_value")]
    diagnostics = run["diagnostics"]
    assert (diagnostics["input_records"], diagnostics["failed_records"]) == (100, 3)
    assert diagnostics["failed_ratio"] == pytest.approx(0.03)
    rows = {c["code"]: c["rows"] for c in diagnostics["codes"]}
    assert rows["MAPPER-3700-400"] == 2 and rows["INGEST-1555-400"] == 1
    assert sum(p["rows"] for p in diagnostics["paths"]) == 3
    assert all(p["path"].startswith("_emulatortenant.charges_data.") for p in diagnostics["paths"])
    assert diagnostics["rows_read"] == 3 and diagnostics["batches"]
    assert "3 of 100 records failed (3.0%)" in output
    assert_nothing_planted(output, xcom)


def test_the_ingest_dags_run_operator_explains_a_run_that_lost_records_too(connections, capfd):
    """The run operator (deferred: judged in the triggerer, diagnosed when the task resumes)."""
    import pendulum
    from aep_testing import load_dag, run_dag

    onboarding = {"name_prefix": "DiagIngest", "poll_interval": 0.2, "max_failed_ratio": 0.05}
    dagrun, _ = run_dag(DAG_ID, onboarding)
    assert str(dagrun.state).endswith("success")
    dag = load_dag("stripe_to_aep_ingest")
    logical = pendulum.datetime(2026, 3, 11, tz="UTC")
    if AIRFLOW_2:
        import airflow.providers.fab.auth_manager.models  # noqa: F401  (see test_ingest_dag.py)
    date_arg = {"execution_date": logical} if AIRFLOW_2 else {"logical_date": logical}
    conf = {"name_prefix": "DiagIngest", "poll_interval": 0.2, "deferrable": True}
    ingest = dag.test(run_conf=conf, **date_arg)
    assert str(ingest.state).endswith("failed")
    captured = capfd.readouterr()
    output = captured.out + captured.err
    failure = next(line for line in output.splitlines() if "why: " in line)
    assert "3 of 100 records failed (3.0%)" in failure and "MAPPER-3700-400 (2 rows)" in failure
    assert_nothing_planted(output, return_values("stripe_to_aep_ingest", ingest.run_id))
