"""Fixtures for tests against the bundled emulator over real loopback HTTP, through real Airflow."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from aep_testing import aep, connections

from airflow_provider_stripe_aep.emulator import EmulatorConfig

__all__ = ["aep", "connections"]  # the shared fixtures, run with this folder's `emulator_config`

# The AssetWatcher's trigger is Airflow 3 only (its import refusal on 2.x: tests/unit/triggers).
collect_ignore = ["test_run_event_trigger.py"] if version("apache-airflow").startswith("2.") else []


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(run_seconds=0.5, run_interval_seconds=1.0)
