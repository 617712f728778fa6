"""The users' pytest plugin: a user's DAG test, written as docs/testing-your-dags.md shows it, passes in
a pytest of its own with nothing but the installed package (no conftest, no connections, no emulator
started by hand): the `pytest11` entry point brings the fixtures."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
DOC = HERE.parents[1] / "docs" / "testing-your-dags.md"


def user_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A user's project: their DAGs folder and their test file, and an Airflow home of their own."""
    shutil.copytree(HERE / "user_dags", tmp_path / "dags")
    (tmp_path / "tests").mkdir()
    shutil.copy(HERE / "user_project" / "test_my_dag.py", tmp_path / "tests")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__", "PYTEST_"))}
    env.update(
        {
            "AIRFLOW_HOME": str(tmp_path / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        }
    )
    if "AIRFLOW__CORE__EXECUTOR" in os.environ:  # Airflow 2 with SQLite (see tests/conftest.py)
        env["AIRFLOW__CORE__EXECUTOR"] = os.environ["AIRFLOW__CORE__EXECUTOR"]
    return tmp_path, env


def test_the_docs_show_the_users_test_as_it_is_run():
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert code is not None
    shown = code.group(1).strip()
    test = (HERE / "user_project" / "test_my_dag.py").read_text()
    assert shown in test
    assert len(shown.splitlines()) <= 12


@pytest.mark.slow
def test_a_users_dag_test_passes_with_the_plugin_and_nothing_else(tmp_path):
    project, env = user_project(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
