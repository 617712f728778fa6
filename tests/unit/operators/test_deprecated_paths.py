"""Import paths that moved keep working for one release, with a deprecation warning."""

from __future__ import annotations

import subprocess
import sys


def test_the_old_run_operator_path_imports_with_a_warning() -> None:
    probe = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    from airflow_provider_stripe_aep.operators.runs import AEPTriggerDataflowRunOperator\n"
        "from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator as New\n"
        "assert AEPTriggerDataflowRunOperator is New\n"
        "messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]\n"
        "assert any('operators.dataflow_run' in m for m in messages), messages\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
