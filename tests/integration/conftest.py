"""Fixtures for tests against the bundled emulator over real loopback HTTP, through real Airflow."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from aep_testing import aep, aep_emulator_config, connections

from airflow_provider_stripe_aep.emulator import EmulatorConfig

# The shared fixtures, run with this folder's `emulator_config`.
__all__ = ["aep", "aep_emulator_config", "connections"]

# A user's project, run by test_users_dag_test.py in a pytest of its own (no conftest of ours).
collect_ignore = ["user_project"]

# The AssetWatcher's trigger is Airflow 3 only (its import refusal on 2.x: tests/unit/triggers).
if version("apache-airflow").startswith("2."):
    collect_ignore.append("test_run_event_trigger.py")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(run_seconds=0.5, run_interval_seconds=1.0)
