"""System tests: a real Airflow (scheduler, DAG processor, triggerer, API server as separate processes)
and fault soaks. The real-Airflow module runs only under `make test-real` (STRIPE_AEP_REAL_AIRFLOW=1):
it needs Airflow 3 and a few minutes, so `make test` (run on Airflow 2.11 too) leaves it out."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aep_testing import STRIPE_KEY, aep_connection

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

sys.path.insert(0, str(Path(__file__).resolve().parent))

collect_ignore = [] if os.environ.get("STRIPE_AEP_REAL_AIRFLOW") == "1" else ["test_real_airflow.py"]


@pytest.fixture
def aep() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(run_seconds=0.3, run_interval_seconds=600.0)) as server:
        yield server


@pytest.fixture
def connections(aep: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """The emulator, with the AEP and Stripe connections pointing at it (for dag.test())."""
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    monkeypatch.setenv(
        "AIRFLOW_CONN_STRIPE_DEFAULT", json.dumps({"conn_type": "stripe", "password": STRIPE_KEY})
    )
    return aep
