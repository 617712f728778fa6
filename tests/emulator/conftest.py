"""Fixtures for the emulator tests: a real emulator on a loopback port, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

from .helpers import Aep


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(run_seconds=0.3, run_interval_seconds=0.5, page_size=20)) as srv:
        yield srv


@pytest.fixture
def aep(server: EmulatorServer) -> Aep:
    server.reset()
    return Aep(server)
