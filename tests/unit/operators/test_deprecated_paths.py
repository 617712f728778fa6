"""Import paths that moved keep working for one release, with a deprecation warning."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import warnings
from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator as New
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from airflow_provider_stripe_aep.operators.runs import AEPTriggerDataflowRunOperator
assert AEPTriggerDataflowRunOperator is New
messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
assert any("operators.dataflow_run" in m for m in messages), messages
"""


def test_the_old_run_operator_path_imports_with_a_warning() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
