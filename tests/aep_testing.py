"""Helpers for tests against the bundled emulator over real loopback HTTP, through real Airflow."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_stripe_aep import pytest_plugin
from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

EXAMPLE_DAGS = Path(__file__).resolve().parent.parent / "example_dags"

CLIENT_SECRET = pytest_plugin.CLIENT_SECRET
STRIPE_KEY = pytest_plugin.STRIPE_KEY
PAYPAL_SECRET = pytest_plugin.PAYPAL_SECRET
aep_connection = pytest_plugin.aep_connection


# Shared fixtures: a conftest imports `aep`, `connections` and `aep_emulator_config` and defines
# `emulator_config`. They are the users' pytest plugin's (airflow_provider_stripe_aep.pytest_plugin).
@pytest.fixture
def aep_emulator_config(emulator_config: EmulatorConfig) -> EmulatorConfig:
    return emulator_config


@pytest.fixture
def aep(aep_emulator: EmulatorServer) -> EmulatorServer:
    """The emulator on a free loopback port, for one test."""
    return aep_emulator


@pytest.fixture
def connections(aep_connections: EmulatorServer) -> EmulatorServer:
    """The emulator, with the AEP, Stripe and PayPal connections pointing at it (for dag.test())."""
    return aep_connections


def dag_bag_class() -> type:
    """Airflow's DagBag, wherever this Airflow keeps it."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag
    return DagBag


def dag_bag(dag_folder: Path | str = EXAMPLE_DAGS) -> Any:
    """A DagBag of a folder (or one file), parsed afresh, that must have no import errors."""
    bag = dag_bag_class()(dag_folder=str(dag_folder))
    assert bag.import_errors == {}
    return bag


def load_dag(dag_id: str, dag_folder: Path | str = EXAMPLE_DAGS) -> Any:
    dag = dag_bag(dag_folder).dags[dag_id]
    if _AIRFLOW_2 and any(type(o).__name__ == "DatasetAlias" for t in dag.tasks for o in t.outlets):
        # Airflow 2.11 records an alias's events only if the alias is in the database, which the DAG
        # processor does in a deployment; dag.test() alone does not (docs/development.md, known limits).
        dag.sync_to_db()
    return dag


_AIRFLOW_2 = version("apache-airflow").startswith("2.")


def requests_to(
    server: EmulatorServer, *, method: str | None = None, path: str | None = None, suffix: str = ""
) -> list[dict[str, Any]]:
    """The emulator's request log, filtered: by method, by exact path, by path ending."""
    return [
        r
        for r in server.state.request_log
        if (method is None or r["method"] == method)
        and (path is None or r["path"] == path)
        and r["path"].endswith(suffix)
    ]


def platform_posts(server: EmulatorServer) -> list[dict[str, Any]]:
    """Every POST to the platform (creates, lookups by POST), IMS token calls left out."""
    return [r for r in requests_to(server, method="POST") if "/ims/" not in r["path"]]


def platform_writes(server: EmulatorServer) -> list[dict[str, Any]]:
    """Every POST, PUT, PATCH and DELETE to the platform, IMS token calls left out."""
    writes = ("POST", "PUT", "PATCH", "DELETE")
    return [r for r in server.state.request_log if r["method"] in writes and r["path"].startswith("/data/")]


def return_values(dag_id: str, run_id: str) -> dict[str, Any]:
    """Every task's return-value XCom of one DAG run, read back from the metadata database."""
    from airflow.utils.session import create_session

    try:
        from airflow.models.xcom import XComModel as XCom
    except ImportError:  # Airflow 2
        from airflow.models.xcom import XCom  # type: ignore[attr-defined,no-redef]
    with create_session() as session:
        rows = session.query(XCom).filter(XCom.dag_id == dag_id, XCom.run_id == run_id).all()
        values = {}
        for row in rows:
            value = row.value.decode() if isinstance(row.value, bytes) else row.value
            while (
                isinstance(value, str) and value[:1] and value[:1] in '[{"'
            ):  # stored as (possibly nested) JSON text
                value = json.loads(value)
            values[(row.task_id, row.key)] = value
    return values


def run_dag(dag_id: str, conf: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    dag = load_dag(dag_id)
    dagrun = dag.test(run_conf=conf)
    return dagrun, return_values(dag_id, dagrun.run_id)


def onboard(hook: Any, schedule: dict[str, Any] | None = None) -> str:
    """The tutorial's steps through the hook; returns the new dataflow's ID."""
    from airflow_provider_stripe_aep.resources import platform
    from airflow_provider_stripe_aep.validation import validate_schedule
    from airflow_provider_stripe_aep.xdm import inference as xdm

    base_id = hook.ensure_base_connection("base", auth_params={"accessToken": "k-123456"})
    source_id = hook.ensure_source_connection(
        "src", base_connection_id=base_id, params={"resourcePath": "refunds"}
    )
    explore = hook.explore(base_id, "refunds")
    tenant = hook.tenant_id()
    group = hook.ensure_field_group(
        xdm.build_field_group(explore, tenant_id=tenant, resource_path="refunds", title="fg")
    )
    schema_id = hook.ensure_schema(
        xdm.build_schema("s", class_id=platform.PROFILE_CLASS_ID, field_group_ids=[group])
    )
    dataset_id = hook.ensure_dataset("ds", schema_id=schema_id)
    target_id = hook.ensure_target_connection("tgt", schema_id=schema_id, dataset_id=dataset_id)
    mappings = xdm.infer_mappings(explore, tenant_id=tenant, resource_path="refunds")
    mapping_id, version = hook.ensure_mapping_set("map", body=xdm.build_mapping_set(schema_id, mappings))
    return hook.ensure_dataflow(
        "flow",
        source_connection_id=source_id,
        target_connection_id=target_id,
        mapping_id=mapping_id,
        mapping_version=version,
        schedule_params=schedule or validate_schedule("once"),
    )
