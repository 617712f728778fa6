"""Rotating the Stripe key through dag.test() at DEBUG: the base connection gets the new key, and the
key appears in no log record, log file, XCom or rendered template."""

from __future__ import annotations

import json
import logging
from importlib.metadata import version
from pathlib import Path

import pytest
from aep_testing import STRIPE_KEY, load_dag, return_values

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.operators.lifecycle import AEPRotateStripeKeyOperator
from airflow_provider_stripe_aep.resources.naming import base_connection_name

NEW_KEY = "it-rotated-stripe-key-9b27e4"
DAG_FILE = """
import pendulum
from airflow.providers.common.compat.sdk import DAG

from airflow_provider_stripe_aep.operators.lifecycle import AEPRotateStripeKeyOperator

with DAG(
    "rotate_stripe_key_test",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    params={"prefix": "Rotate"},
) as dag:
    AEPRotateStripeKeyOperator(task_id="rotate", name_prefix="{{ params.prefix }}")
"""


def dag_in_folder(folder: Path, monkeypatch: pytest.MonkeyPatch):
    """A DAG file of its own in its own DAG folder: Airflow 3's dag.test() runs only DAGs it can parse."""
    (folder / "rotate_stripe_key_test.py").write_text(DAG_FILE)
    local = "airflow.dag_processing.bundles.local.LocalDagBundle"
    bundles = [
        {"name": "dags-folder", "classpath": local, "kwargs": {}},
        {"name": "key-rotation-test", "classpath": local, "kwargs": {"path": str(folder)}},
    ]
    monkeypatch.setenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", json.dumps(bundles))
    return load_dag("rotate_stripe_key_test", folder)


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_rotation_patches_the_base_connection_and_leaks_the_key_nowhere(
    connections, monkeypatch, caplog, airflow_db, tmp_path
):
    aep = connections
    hook = AdobeExperiencePlatformHook()
    base_id = hook.ensure_base_connection(
        base_connection_name("Rotate"), auth_params={"accessToken": STRIPE_KEY}
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_STRIPE_DEFAULT", json.dumps({"conn_type": "stripe", "password": NEW_KEY})
    )
    dag = dag_in_folder(tmp_path, monkeypatch)
    caplog.set_level(logging.DEBUG)
    dagrun = dag.test()

    assert str(dagrun.state).endswith("success")
    assert aep.state.sandbox("prod").connections[base_id]["auth"]["params"] == {"accessToken": NEW_KEY}
    patch = [r for r in aep.state.request_log if r["method"] == "PATCH" and r["path"].endswith(base_id)]
    assert [r["status"] for r in patch] == [200]
    assert "rotate" in caplog.text  # the task's own log lines were captured
    assert NEW_KEY not in caplog.text
    assert all(NEW_KEY not in str(record.args) for record in caplog.records)
    xcoms = return_values("rotate_stripe_key_test", dagrun.run_id)
    assert xcoms[("rotate", "return_value")] == base_id
    assert NEW_KEY not in json.dumps({str(k): v for k, v in xcoms.items()}, default=str)
    for log_file in Path(airflow_db).rglob("*.log"):
        assert NEW_KEY not in log_file.read_text(errors="replace"), log_file
    if not version("apache-airflow").startswith("2."):
        from airflow.models.renderedtifields import RenderedTaskInstanceFields
        from airflow.utils.session import create_session

        with create_session() as session:
            rendered = session.query(RenderedTaskInstanceFields).all()
            assert NEW_KEY not in json.dumps([r.rendered_fields for r in rendered], default=str)


def test_a_failed_rotation_does_not_put_the_key_in_the_error(connections, monkeypatch):
    monkeypatch.setenv(
        "AIRFLOW_CONN_STRIPE_DEFAULT", json.dumps({"conn_type": "stripe", "password": NEW_KEY})
    )
    operator = AEPRotateStripeKeyOperator(task_id="rotate", base_connection_id="no-such-connection")
    with pytest.raises(Exception) as info:
        operator.execute({})
    assert "no-such-connection" in str(info.value) and NEW_KEY not in str(info.value)
    assert NEW_KEY not in repr(info.value.__cause__) and NEW_KEY not in repr(info.value.__context__)
