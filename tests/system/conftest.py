"""System tests: a real Airflow (scheduler, DAG processor, triggerer, API server as separate processes)
and fault soaks. The real-Airflow module runs only under `make test-real` (STRIPE_AEP_REAL_AIRFLOW=1):
it needs Airflow 3 and a few minutes, so `make test` (run on Airflow 2.11 too) leaves it out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from aep_testing import aep, aep_emulator_config, connections

from airflow_provider_stripe_aep.emulator import EmulatorConfig

sys.path.insert(0, str(Path(__file__).resolve().parent))

# The shared fixtures, run with this folder's `emulator_config`.
__all__ = ["aep", "aep_emulator_config", "connections"]

REAL_AIRFLOW = ["test_real_airflow.py", "test_coalesced_polling.py", "test_asset_watcher.py"]
collect_ignore = [] if os.environ.get("STRIPE_AEP_REAL_AIRFLOW") == "1" else list(REAL_AIRFLOW)
# CeleryExecutor + Redis: only under `make test-celery` (STRIPE_AEP_CELERY=1).
if os.environ.get("STRIPE_AEP_CELERY") != "1":
    collect_ignore.append("test_celery.py")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(run_seconds=0.3, run_interval_seconds=600.0)
