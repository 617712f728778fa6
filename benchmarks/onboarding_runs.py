"""Runs the example onboarding DAGs against the bundled emulator and records, per task, the AEP
requests it sent (from the emulator's request log) and how long it took.

Run as a child process (`python -m benchmarks.onboarding_runs`): it sets up its own Airflow home
before Airflow is imported, and prints one JSON document.

Two process models:
- `in-process`: `dag.test()` as is: every task in one process, which shares one IMS token.
- `per-task`: the same, but the process's IMS token cache is emptied whenever a task builds its AEP
  client, which is what a fresh process per task (a scheduler's LocalExecutor or Celery worker)
  sees. Hooks and clients are per task in both models (each task builds its own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOME = Path(tempfile.mkdtemp(prefix="stripe-aep-bench-runs-"))
os.environ.update(
    {
        "AIRFLOW_HOME": str(HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "example_dags"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{HOME}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
    }
)

ONE = "stripe_to_aep_onboarding"
SIX = "stripe_to_aep_all_resources"
WAIT_POLL = 0.5
"""Seconds between run checks of the sensor; its GETs are counted apart from the onboarding's."""


def classify(entry: dict[str, Any]) -> str:
    """`IMS token`, or `METHOD /service/path` with IDs replaced by `{id}`."""
    path: str = entry["path"]
    if path.startswith("/ims/"):
        return "IMS token"
    parts = path.removeprefix("/data/foundation/").split("/")
    service, rest = parts[0], parts[1:]
    keep = {
        "tenant",
        "fieldgroups",
        "schemas",
        "explore",
        "action",
        "mappingSets",
        "validate",
        "stats",
        "dataSets",
        "connections",
        "sourceConnections",
        "targetConnections",
        "flows",
        "runs",
        "flowSpecs",
        "connectionSpecs",
        "global",
        "classes",
    }
    shape = [p if p in keep else "{id}" for p in rest]
    return f"{entry['method']} /{service}/" + "/".join(shape)


def main() -> None:
    from airflow_provider_stripe_aep.client import auth, schema_registry
    from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer
    from airflow_provider_stripe_aep.hooks import aep as aep_hook

    subprocess.run(  # noqa: S603 - our own airflow executable
        [str(Path(sys.executable).with_name("airflow")), "db", "migrate"],
        check=True,
        capture_output=True,
        env=os.environ.copy(),
    )
    latency = float(sys.argv[1]) if len(sys.argv) > 1 else 0.1
    server = EmulatorServer(EmulatorConfig(run_seconds=0.5, run_interval_seconds=1.0)).start()
    sys.path.insert(0, str(ROOT / "tests"))
    from aep_testing import STRIPE_KEY, aep_connection

    os.environ["AIRFLOW_CONN_AEP_DEFAULT"] = json.dumps(aep_connection(server))
    os.environ["AIRFLOW_CONN_STRIPE_DEFAULT"] = json.dumps({"conn_type": "stripe", "password": STRIPE_KEY})

    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]
    bag = DagBag(dag_folder=str(ROOT / "example_dags"))
    if bag.import_errors:
        raise SystemExit(f"example DAGs fail to import: {bag.import_errors}")

    mode = {"per_task": False}
    built = aep_hook.AdobeExperiencePlatformHook._client_for

    def client_for(config: Any) -> Any:
        if mode["per_task"]:  # a fresh process: no token, no tenant ID known yet
            auth.clear_token_cache()
            schema_registry.clear_tenant_cache()
        return built(config)

    aep_hook.AdobeExperiencePlatformHook._client_for = staticmethod(client_for)  # type: ignore[method-assign]

    spans: list[dict[str, Any]] = []

    def instrument(dag: Any) -> None:
        for task in dag.tasks:
            cls = type(task)
            if getattr(cls, "_bench_wrapped", False):
                continue
            original = cls.execute

            def execute(self: Any, context: Any, _original: Any = original) -> Any:
                with server.state.lock:
                    first = len(server.state.request_log)
                started = time.perf_counter()
                try:
                    return _original(self, context)
                finally:
                    with server.state.lock:
                        last = len(server.state.request_log)
                    spans.append(
                        {
                            "task_id": self.task_id,
                            "first": first,
                            "last": last,
                            "seconds": time.perf_counter() - started,
                        }
                    )

            cls.execute = execute
            cls._bench_wrapped = True

    def run(
        dag_id: str, conf: dict[str, Any], *, reset: bool, per_task: bool, delay: float
    ) -> dict[str, Any]:
        dag = bag.dags[dag_id]
        instrument(dag)
        if reset:
            server.reset()
        with server.state.lock:
            server.state.request_log.clear()
        server.clear_faults()
        if delay:
            server.add_fault({"kind": "slow", "rate": 1.0, "delay": delay})
        auth.clear_token_cache()
        schema_registry.clear_tenant_cache()
        mode["per_task"] = per_task
        spans.clear()
        started = time.perf_counter()
        dagrun = dag.test(run_conf={"poll_interval": WAIT_POLL, **conf})
        wall = time.perf_counter() - started
        server.clear_faults()
        with server.state.lock:
            log = [dict(e) for e in server.state.request_log]
        tasks = []
        for span in spans:
            entries = log[span["first"] : span["last"]]
            tasks.append({**span, "requests": [classify(e) for e in entries]})
        return {
            "dag_id": dag_id,
            "state": str(dagrun.state),
            "wall": wall,
            "requests": [classify(e) for e in log],
            "statuses": [e["status"] for e in log],
            "tasks": tasks,
            "upstream": {t.task_id: sorted(t.upstream_task_ids) for t in bag.dags[dag_id].tasks},
            "created": created_counts(server),
        }

    results: dict[str, Any] = {"latency": latency, "dags": sorted(bag.dags)}
    one = {"name_prefix": "BenchOne", "resource_path": "charges"}
    results["one_fresh"] = run(ONE, one, reset=True, per_task=False, delay=0)
    results["one_rerun"] = run(ONE, one, reset=False, per_task=False, delay=0)
    results["one_per_task"] = run(ONE, one, reset=True, per_task=True, delay=latency)
    if SIX in bag.dags:
        six = {"name_prefix": "BenchSix"}
        results["six_fresh"] = run(SIX, six, reset=True, per_task=False, delay=0)
        results["six_rerun"] = run(SIX, six, reset=False, per_task=False, delay=0)
        results["six_per_task"] = run(SIX, six, reset=True, per_task=True, delay=latency)
    server.stop()
    print(json.dumps(results))


def created_counts(server: Any) -> int:
    """How many resources the emulator holds (what the onboarding created)."""
    with server.state.lock:
        store = server.state.sandboxes["prod"]
        return sum(
            len(getattr(store, name))
            for name in (
                "connections",
                "source_connections",
                "target_connections",
                "flows",
                "fieldgroups",
                "schemas",
                "datasets",
                "mapping_sets",
            )
        )


if __name__ == "__main__":
    main()
