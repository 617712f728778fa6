"""The fault soak, short: `scripts/soak.py` with two onboardings under seeded faults on every platform
call, in its own process as `make soak` runs it (which does twenty, of the all-resources DAG)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import inventory
import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


@pytest.mark.slow
def test_a_short_soak_under_faults_ends_with_every_resource_once(tmp_path):
    figures = tmp_path / "soak.json"
    args = ["--runs", "2", "--dag", "stripe_to_aep_onboarding", "--seed", "11", "--request-timeout", "0.5"]
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--json", str(figures)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    rate = re.search(r"combined rate (\d+)%", done.stdout)
    assert rate and int(rate.group(1)) >= 25, done.stdout[:500]  # at least 25% of platform calls faulted
    result = json.loads(figures.read_text())
    assert result["runs"] == result["succeeded"] == 2, result["failures"]
    assert len(result["faults"]) >= 3, result["faults"]  # several kinds were injected
    twice = {kind: 2 * n for kind, n in inventory.expected_counts(1).items()}
    assert result["created"] == result["expected"] == twice
    assert result["duplicates"] == {}
    assert result["dead_xcom_ids"] == []
    assert result["secrets_found"] == 0
    assert result["client_retries"] > 0
    assert result["ok"] is True
