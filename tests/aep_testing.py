"""Helpers for tests against the bundled emulator over real loopback HTTP, through real Airflow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

EXAMPLE_DAGS = Path(__file__).resolve().parent.parent / "example_dags"

CLIENT_SECRET = "it-client-secret-7f3a9"
STRIPE_KEY = "it-stripe-key-c41d0e"


def aep_connection(server: EmulatorServer, **extra: Any) -> dict[str, Any]:
    return {
        "conn_type": "adobe_experience_platform",
        "host": server.url,
        "login": "it-client-id",
        "password": CLIENT_SECRET,
        "extra": {
            "org_id": "ITORG@AdobeOrg",
            "sandbox": "prod",
            "ims_token_url": server.ims_url,
            "backoff_base": 0.05,
            "backoff_max": 0.2,
            **extra,
        },
    }


# Shared fixtures: a conftest imports `aep` and `connections` and defines `emulator_config`.
@pytest.fixture
def aep(emulator_config: EmulatorConfig) -> Iterator[EmulatorServer]:
    """The emulator on a free loopback port, for one test."""
    with EmulatorServer(emulator_config) as server:
        yield server


@pytest.fixture
def connections(aep: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """The emulator, with the AEP and Stripe connections pointing at it (for dag.test())."""
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    monkeypatch.setenv(
        "AIRFLOW_CONN_STRIPE_DEFAULT", json.dumps({"conn_type": "stripe", "password": STRIPE_KEY})
    )
    return aep


def load_dag(dag_id: str) -> Any:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag
    bag = DagBag(dag_folder=str(EXAMPLE_DAGS))
    assert bag.import_errors == {}
    return bag.dags[dag_id]


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
