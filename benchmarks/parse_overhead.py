"""Parse overhead: the import time our operators, sensor, hooks and triggers add after `airflow.sdk`,
side by side with the dbt Cloud provider's, and the time to parse each example DAG file against a
DAG that imports no provider.

Every sample is a fresh process forked from an interpreter that has imported `airflow.sdk` (and the
DagBag) but never the provider and has then called `gc.freeze()`, as Airflow's DAG processor forks
its parsers; figures are medians.
CPU time (user + system of the sample) is the headline: on a shared machine wall time mostly
measures the neighbours."""

from __future__ import annotations

import json
import os
import pkgutil
import tempfile
from pathlib import Path

from benchmarks.common import DBT_CLOUD_DIR, EXAMPLE_DAGS, Row, airflow_env, median, run_python

TARGET_RATIO = 0.35

FORK_PROBE = """
import gc, importlib, json, os, sys, time
import airflow.sdk
from airflow.dag_processing.dagbag import DagBag

plan = json.loads(sys.argv[1])
# As Airflow's DAG processor does before it forks its parsers (DagFileProcessorManager.before_run):
# without it, the first full collection in a sample walks, and so copies, the parent's whole heap,
# and that cost lands on whichever import happens to trigger it.
gc.freeze()


def sample(job):
    cpu, wall = time.process_time(), time.perf_counter()
    if job["kind"] == "import":
        for name in job["modules"]:
            importlib.import_module(name)
        dags = 0
    else:
        bag = DagBag(dag_folder=job["file"], safe_mode=False)
        if bag.import_errors:
            raise SystemExit(f"import errors: {bag.import_errors}")
        dags = len(bag.dags)
    return {"cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall, "dags": dags}


results = []
for job in plan:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: airflow.sdk loaded, the provider never imported
        os.close(read)
        try:
            payload = json.dumps({"ok": sample(job)})
        except BaseException as exc:
            payload = json.dumps({"error": f"{type(exc).__name__}: {exc}"})
        os.write(write, payload.encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    answer = json.loads(b"".join(chunks))
    if "error" in answer:
        raise SystemExit(f"{job}: {answer['error']}")
    results.append({**job, **answer["ok"]})
print(json.dumps(results))
"""

BASELINE_DAG = '''"""A DAG shaped like the one-resource onboarding (nine tasks) that imports no provider."""
import pendulum
from airflow.sdk import DAG, BaseOperator


class Step(BaseOperator):
    template_fields = ("name",)

    def __init__(self, *, name: str = "", **kwargs):
        super().__init__(**kwargs)
        self.name = name

    def execute(self, context):
        return self.name


with DAG(
    dag_id="no_provider_baseline",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    params={"name_prefix": "Airflow"},
):
    base = Step(task_id="create_base_connection", name="{{ params.name_prefix }} base")
    explore = Step(task_id="explore_resource", name=base.output)
    source = Step(task_id="create_source_connection", name=base.output)
    schema = Step(task_id="create_target_schema", name=explore.output)
    dataset = Step(task_id="create_dataset", name=schema.output)
    target = Step(task_id="create_target_connection", name=dataset.output)
    mapping = Step(task_id="create_mapping_set", name=schema.output)
    flow = Step(task_id="create_dataflow", name=source.output)
    wait = Step(task_id="wait_for_run", name=flow.output)
    [target, mapping] >> flow
'''


def provider_modules(package: str, subpackages: tuple[str, ...]) -> list[str]:
    """Every module of the given subpackages (so new operators and sensors are measured too)."""
    import importlib.util

    names = []
    for sub in subpackages:
        spec = importlib.util.find_spec(f"{package}.{sub}")
        if spec is None or not spec.submodule_search_locations:
            continue
        for info in pkgutil.iter_modules(spec.submodule_search_locations):
            names.append(f"{package}.{sub}.{info.name}")
    return sorted(names)


def measure(runs: int = 15) -> tuple[list[Row], dict[str, object]]:
    env = airflow_env()
    dbt_env = dict(env, PYTHONPATH=os.pathsep.join(filter(None, [str(DBT_CLOUD_DIR), env.get("PYTHONPATH")])))
    ours = provider_modules("airflow_provider_stripe_aep", ("operators", "sensors", "hooks", "triggers"))
    rows: list[Row] = []
    details: dict[str, object] = {"our_modules": ours}

    have_dbt = DBT_CLOUD_DIR.is_dir()
    dbt: list[str] = []
    if have_dbt:
        dbt = json.loads(
            run_python(
                "import json; from benchmarks.parse_overhead import provider_modules; "
                "print(json.dumps(provider_modules('airflow.providers.dbt.cloud', "
                "('operators', 'sensors', 'hooks', 'triggers'))))",
                env=dbt_env,
            )
        )
    details["dbt_modules"] = dbt

    folder = Path(tempfile.mkdtemp(prefix="stripe-aep-bench-dags-"))
    baseline = folder / "no_provider_baseline.py"
    baseline.write_text(BASELINE_DAG)
    files = [baseline, *sorted(EXAMPLE_DAGS.glob("*.py"))]

    # One round = every measurement once; rounds interleave them so drift in load hits all alike.
    round_jobs: list[dict[str, object]] = [{"kind": "import", "who": "ours", "modules": ours}]
    if have_dbt:
        round_jobs.append({"kind": "import", "who": "dbt", "modules": dbt})
    round_jobs += [{"kind": "parse", "who": path.name, "file": str(path)} for path in files]
    # The dbt Cloud provider's directory is on the path of every sample (a namespace portion of
    # `airflow.providers` is fixed when Airflow is imported); our modules never look there.
    samples = json.loads(
        run_python(FORK_PROBE, json.dumps(round_jobs * runs), env=dbt_env if have_dbt else env, timeout=1800)
    )

    def stat(who: str, key: str) -> float:
        return median([s[key] for s in samples if s["who"] == who]) * 1000

    ours_cpu, ours_wall = stat("ours", "cpu"), stat("ours", "wall")
    rows.append(
        Row(
            "1 parse",
            f"import overhead after airflow.sdk, ours ({len(ours)} modules), CPU / wall",
            f"{ours_cpu:.0f} ms / {ours_wall:.0f} ms",
        )
    )
    if have_dbt:
        dbt_cpu, dbt_wall = stat("dbt", "cpu"), stat("dbt", "wall")
        rows.append(
            Row(
                "1 parse",
                f"import overhead after airflow.sdk, dbt Cloud ({len(dbt)} modules), CPU / wall",
                f"{dbt_cpu:.0f} ms / {dbt_wall:.0f} ms",
            )
        )
        ratio = ours_cpu / dbt_cpu
        rows.append(
            Row(
                "1 parse",
                "ours / dbt Cloud (CPU time)",
                f"{ratio:.2f}x (wall {ours_wall / dbt_wall:.2f}x)",
                f"<= {TARGET_RATIO}x",
                "yes" if ratio <= TARGET_RATIO else "NO",
            )
        )
        details["ratio"] = ratio
    else:
        rows.append(
            Row(
                "1 parse",
                "dbt Cloud provider",
                f"not installed in {DBT_CLOUD_DIR}",
                f"<= {TARGET_RATIO}x",
                "n/a",
            )
        )

    base_cpu = stat(baseline.name, "cpu")
    for path in files:
        cpu, wall = stat(path.name, "cpu"), stat(path.name, "wall")
        dags = next(s["dags"] for s in samples if s["who"] == path.name)
        extra = "" if path == baseline else f" (+{cpu - base_cpu:.0f} ms CPU over the baseline)"
        label = "baseline DAG, no provider" if path == baseline else f"example_dags/{path.name}"
        rows.append(
            Row(
                "1 parse",
                f"DagBag parse of {label} ({dags} DAG), CPU / wall",
                f"{cpu:.0f} ms / {wall:.0f} ms{extra}",
            )
        )
    details["runs"] = runs
    return rows, details
