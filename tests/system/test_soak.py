"""The fault soak, short: two onboardings under seeded faults on every platform call (`make soak`
runs twenty of the all-resources DAG)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


def load_soak():
    spec = importlib.util.spec_from_file_location("soak", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_a_short_soak_under_faults_ends_with_every_resource_once(tmp_path, capsys):
    soak = load_soak()
    rules = soak.fault_rules(soak.FAULT_SHARES)
    assert soak.combined_rate(rules) >= 0.25
    server = EmulatorServer(EmulatorConfig(run_seconds=0.2, run_interval_seconds=600.0, seed=11))
    # The soak reads the runs' output from file descriptors 1 and 2: pytest's own capture must step aside.
    with server as aep, capsys.disabled():
        result = soak.run_soak(aep, 2, soak.ONBOARDING, tmp_path / "soak.log", request_timeout=0.5)
    print(result.report())
    assert result.succeeded == 2, result.failures
    assert len(result.faults) >= 3, result.faults  # several kinds were injected
    assert (
        result.created == result.expected == {k: 2 * n for k, n in soak.inventory.expected_counts(1).items()}
    )
    assert result.duplicates == {}
    assert result.dead_xcom_ids == []
    assert result.secrets_found == 0
    assert result.client_retries > 0
    assert result.ok
