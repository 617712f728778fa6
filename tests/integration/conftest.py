"""Fixtures for tests against the bundled emulator over real loopback HTTP, through real Airflow."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from aep_testing import STRIPE_KEY, aep_connection

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer


@pytest.fixture
def aep() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(run_seconds=0.5, run_interval_seconds=1.0)) as server:
        yield server


@pytest.fixture
def connections(aep: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    monkeypatch.setenv(
        "AIRFLOW_CONN_STRIPE_DEFAULT", json.dumps({"conn_type": "stripe", "password": STRIPE_KEY})
    )
    return aep
