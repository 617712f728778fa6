"""Fixtures for tests against the bundled emulator over real loopback HTTP, through real Airflow."""

from __future__ import annotations

import pytest
from aep_testing import aep, connections

from airflow_provider_stripe_aep.emulator import EmulatorConfig

__all__ = ["aep", "connections"]  # the shared fixtures, run with this folder's `emulator_config`


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(run_seconds=0.5, run_interval_seconds=1.0)
