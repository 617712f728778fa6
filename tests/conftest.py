"""Test settings: an isolated Airflow home with a SQLite database, and the example DAGs folder."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import pytest
from aep_testing import EXAMPLE_DAGS

_HOME = Path(tempfile.mkdtemp(prefix="stripe-aep-tests-"))

# Set before anything imports Airflow, so its configuration is read from here. Airflow's production
# defaults otherwise (no unit-test mode: it turns cron data intervals on and changes what a DAG means);
# only where things are (home, database, DAGs folder) and no bundled Airflow examples.
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(EXAMPLE_DAGS),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME}/airflow.db",
        # One key for this process and the `airflow dags test` processes some tests start: trigger
        # kwargs (the AssetWatcher's) written by one must be readable by the other.
        "AIRFLOW__CORE__FERNET_KEY": "DzVnlslJ6LVpC9a5eRy2m5q3vwl0g6p6mHkvqELGBhk=",
    }
)
AIRFLOW_2 = version("apache-airflow").startswith("2.")
if AIRFLOW_2:  # Airflow 2 refuses SQLite with its default LocalExecutor; Airflow 3 has no SequentialExecutor
    os.environ["AIRFLOW__CORE__EXECUTOR"] = "SequentialExecutor"


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated Airflow metadata database (needed by dag.test())."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True, env=os.environ.copy())
    return _HOME


@pytest.fixture(autouse=True)
def _fresh_token_cache() -> None:
    """Each test starts with no IMS token cached in this process."""
    from airflow_provider_stripe_aep.client.auth import clear_token_cache

    clear_token_cache()
