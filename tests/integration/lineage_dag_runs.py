"""Run in a fresh process by test_openlineage_events.py (OpenLineage reads its configuration once, when
Airflow loads its plugins): a dag.test() of the onboarding and then of the ingest DAG, with the
environment the test set (file transport, emulator connections). Writes each DAG run's XComs as JSON
to RESULT_FILE (not stdout: OpenLineage's emitting thread logs there and may split a printed line).

    python tests/integration/lineage_dag_runs.py PREFIX RESOURCE_PATH RESULT_FILE
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import pendulum
from aep_testing import load_dag, return_values

AIRFLOW_2 = version("apache-airflow").startswith("2.")


def main(prefix: str, resource_path: str, result_file: str) -> None:
    conf = {"name_prefix": prefix, "resource_path": resource_path, "poll_interval": 0.2}
    out: dict[str, dict[str, object]] = {}
    # The ingest run waits in the triggerer: its facets come from the task resumed after deferral.
    for dag_id, logical_date, more in (
        ("stripe_to_aep_onboarding", None, {}),
        ("stripe_to_aep_ingest", pendulum.datetime(2026, 3, 10, tz="UTC"), {"deferrable": True}),
    ):
        dag = load_dag(dag_id)
        kwargs = {}
        if logical_date is not None:
            kwargs = {"execution_date" if AIRFLOW_2 else "logical_date": logical_date}
        dagrun = dag.test(run_conf={**conf, **more}, **kwargs)
        values = return_values(dag_id, dagrun.run_id)
        out[dag_id] = {
            "state": str(dagrun.state),
            "xcom": {f"{task}.{key}": value for (task, key), value in values.items()},
        }
    Path(result_file).write_text(json.dumps(out, default=str))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
