"""`make soak`: run an onboarding DAG N times (dag.test(), Airflow task retries on) against the bundled
emulator with seeded faults on every platform call, then check that every run succeeded, that the
emulator holds exactly the expected resources (no duplicate of any kind, by name), that every XCom ID
points at a live resource and that no secret reached the output; print the figures.

    python scripts/soak.py --runs 20 [--dag stripe_to_aep_all_resources] [--seed 7] [--rate 0.3]

Exit status 0 only when every check holds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "system")]

import inventory  # noqa: E402

ONBOARDING = "stripe_to_aep_onboarding"
ALL_RESOURCES = "stripe_to_aep_all_resources"
CLIENT_SECRET = "soak-client-secret-5e1b"  # noqa: S105 - a test value for the emulator
STRIPE_KEY = "soak-stripe-key-a07c"
REQUEST_TIMEOUT = 1.0
TASK_RETRIES = 5
RETRY_LINE = re.compile(r"AEP call failed \(attempt \d+\)")

# Share of platform requests (/data/...) that get each fault. "slow" answers later than the client's
# request timeout; "commit_drop" carries the request out, then drops the connection mid-answer;
# "503_acted" carries the request out, then answers 503 (opt in with --acted-503: a create answered so
# must be looked up before it is sent again).
FAULT_SHARES: dict[str, float] = {
    "429": 0.08,
    "503": 0.07,
    "502": 0.04,  # 502 with an HTML body, where the emulator has it
    "slow": 0.04,
    "commit_drop": 0.07,
}
ACTED_503_SHARE = 0.04


def available_kinds() -> tuple[str, ...]:
    from airflow_provider_stripe_aep.emulator.config import FAULT_KINDS

    return tuple(FAULT_KINDS)


def fault_rules(
    shares: dict[str, float], scale: float = 1.0, request_timeout: float = REQUEST_TIMEOUT
) -> list[dict[str, Any]]:
    """Rules whose seeded draws give each kind its share of requests: the injector tries the rules in
    order and takes the first whose draw hits, so each rate is its share of what is left."""
    names = [k for k in shares if k.removesuffix("_acted") in available_kinds()]
    rules, taken = [], 0.0
    for name in names:
        kind = name.removesuffix("_acted")
        share = shares[name] * scale
        rule: dict[str, Any] = {
            "kind": kind,
            "rate": min(1.0, share / (1.0 - taken)),
            "path_regex": "^/data/",
        }
        if name.endswith("_acted"):
            rule["service_effect"] = True
        if kind == "429":
            rule["retry_after"] = 0.1
        if kind == "slow":
            rule["delay"] = request_timeout * 1.5
        rules.append(rule)
        taken += share
    return rules


def combined_rate(rules: list[dict[str, Any]]) -> float:
    untouched = 1.0
    for rule in rules:
        untouched *= 1.0 - rule["rate"]
    return 1.0 - untouched


def present_dag(preferred: str = ALL_RESOURCES, folder: Path = ROOT / "example_dags") -> str:
    text = "\n".join(p.read_text(encoding="utf-8") for p in folder.glob("*.py"))
    return preferred if re.search(rf"dag_id=[\"']{preferred}[\"']", text) else ONBOARDING


def paths_of(dag_id: str) -> int:
    from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

    return len(RESOURCE_PATHS) if dag_id == ALL_RESOURCES else 1


def connections(aep: Any, request_timeout: float = REQUEST_TIMEOUT) -> dict[str, str]:
    aep_conn = {
        "conn_type": "adobe_experience_platform",
        "host": aep.url,
        "login": "soak-client-id",
        "password": CLIENT_SECRET,
        "extra": {
            "org_id": "SOAK@AdobeOrg",
            "sandbox": "prod",
            "ims_token_url": aep.ims_url,
            "timeout": request_timeout,
            # Few client attempts, so that some faults outlast them and Airflow's task retries step in.
            "max_attempts": 3,
            "backoff_base": 0.05,
            "backoff_max": 0.3,
            "max_retry_after": 1,
            "total_timeout": 60,
        },
    }
    return {
        "AIRFLOW_CONN_AEP_DEFAULT": json.dumps(aep_conn),
        "AIRFLOW_CONN_STRIPE_DEFAULT": json.dumps({"conn_type": "stripe", "password": STRIPE_KEY}),
    }


@contextmanager
def environ(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send everything this process writes to fds 1 and 2 (Airflow's task logs included) to a file."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


@dataclass
class SoakResult:
    dag_id: str
    runs: int = 0
    succeeded: int = 0
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    client_retries: int = 0
    task_retries: int = 0
    created: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    dead_xcom_ids: list[str] = field(default_factory=list)
    secrets_found: int = 0
    tokens_minted: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.succeeded == self.runs
            and self.created == self.expected
            and not self.duplicates
            and not self.dead_xcom_ids
            and self.secrets_found == 0
        )

    def report(self) -> str:
        injected = sum(self.faults.values())
        share = injected / self.requests if self.requests else 0.0
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.faults.items())) or "none"
        lines = [
            f"soak of {self.dag_id}: {self.runs} runs in {self.seconds:.0f} s",
            f"runs succeeded:          {self.succeeded}/{self.runs}",
            f"platform requests:       {self.requests}",
            f"faults injected:         {injected} ({share:.1%}): {kinds}",
            f"client retries made:     {self.client_retries}",
            f"Airflow task retries:    {self.task_retries}",
            f"resources created:       {sum(self.created.values())} (expected {sum(self.expected.values())})",
            *(f"  {k:18} {self.created.get(k, 0)} (expected {v})" for k, v in self.expected.items()),
            f"duplicates:              {sum(len(v) for v in self.duplicates.values())}",
            f"XCom IDs not live:       {len(self.dead_xcom_ids)}",
            f"secrets found in output: {self.secrets_found}",
            f"IMS tokens minted:       {self.tokens_minted} (one process)",
            f"result:                  {'PASS' if self.ok else 'FAIL'}",
        ]
        lines += [f"  failure: {f}" for f in self.failures]
        return "\n".join(lines)


def load_dag(dag_id: str) -> Any:
    """The DAG from Airflow's configured DAGs folder."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 2
        from airflow.models.dagbag import DagBag
    from airflow.configuration import conf

    bag = DagBag(dag_folder=conf.get("core", "dags_folder"))
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return bag.dags[dag_id]


def _task_retries(dag_id: str, run_id: str) -> int:
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance).filter(
            TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id
        )
        return sum(max(0, (ti.try_number or 1) - 1) for ti in rows)


def _drain_log(aep: Any, result: SoakResult) -> None:
    with aep.state.lock:
        log = list(aep.state.request_log)
        aep.state.request_log.clear()
    for entry in log:
        if entry["path"].startswith("/data/"):
            result.requests += 1
            if entry["fault"]:
                result.faults[entry["fault"]] += 1
        elif entry["method"] == "POST" and entry["path"] == "/ims/token/v3":
            result.tokens_minted += 1


def run_soak(
    aep: Any,
    runs: int,
    dag_id: str,
    output: Path,
    shares: dict[str, float] | None = None,
    request_timeout: float = REQUEST_TIMEOUT,
) -> SoakResult:
    """N runs of `dag_id` with faults; needs a migrated Airflow database in this process's config."""
    from aep_testing import return_values

    result = SoakResult(dag_id=dag_id)
    rules = fault_rules(shares or FAULT_SHARES, request_timeout=request_timeout)
    started = time.monotonic()
    prefixes = []
    # Set once: the seeded draws run on across runs (clearing the rules would restart them).
    aep.clear_faults()
    for rule in rules:
        aep.add_fault(rule)
    with environ(connections(aep, request_timeout)):
        dag = load_dag(dag_id)
        assert dag is not None, dag_id
        for task in dag.tasks:
            task.retries = max(task.retries or 0, TASK_RETRIES)
            task.retry_delay = timedelta(0)
        for n in range(1, runs + 1):
            prefix = f"Soak{n:03d}"
            prefixes.append(prefix)
            conf = {"name_prefix": prefix, "poll_interval": 0.1}
            with output_to(output):
                dagrun = dag.test(run_conf=conf)
            _drain_log(aep, result)
            result.runs += 1
            state = str(dagrun.state)
            if state.endswith("success"):
                result.succeeded += 1
            else:
                result.failures.append(f"run {n} ({prefix}) ended {state}")
            result.task_retries += _task_retries(dag_id, dagrun.run_id)
            values = return_values(dag_id, dagrun.run_id)
            live = inventory.ids(inventory.resources(inventory.state_dump(aep.url)))
            created = inventory.created_ids((task, key, value) for (task, key), value in values.items())
            result.dead_xcom_ids += [f"{prefix} {task}: {i}" for task, i in created if i not in live]
    aep.clear_faults()
    found = inventory.resources(inventory.state_dump(aep.url))
    result.created, result.expected = Counter(), Counter()
    for prefix in prefixes:
        mine = inventory.with_prefix(found, prefix)
        result.created.update(inventory.counts(mine))
        result.expected.update(inventory.expected_counts(paths_of(dag_id)))
        for kind, names in inventory.duplicates(mine).items():
            result.duplicates.setdefault(kind, []).extend(names)
    result.created, result.expected = dict(result.created), dict(result.expected)
    with aep.state.lock:
        tokens = list(aep.state.tokens)
    text = output.read_text(encoding="utf-8", errors="replace")
    result.secrets_found = len(inventory.secrets_in(text, [CLIENT_SECRET, STRIPE_KEY, *tokens]))
    result.client_retries = len(RETRY_LINE.findall(text))
    result.seconds = time.monotonic() - started
    return result


def _prepare_airflow(home: Path, dags_folder: Path) -> None:
    """An isolated Airflow home with a migrated SQLite database, set before Airflow is imported."""
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        }
    )
    if version("apache-airflow").startswith("2."):  # Airflow 2 refuses SQLite with LocalExecutor
        os.environ["AIRFLOW__CORE__EXECUTOR"] = "SequentialExecutor"
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], check=True, capture_output=True)  # noqa: S603


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--dag", default=None, help=f"default {ALL_RESOURCES} if present, else {ONBOARDING}")
    parser.add_argument("--dags-folder", type=Path, default=ROOT / "example_dags")
    parser.add_argument("--seed", type=int, default=7, help="seed of the emulator's fault draws")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every fault share")
    parser.add_argument("--request-timeout", type=float, default=REQUEST_TIMEOUT, help="seconds, per request")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    parser.add_argument(
        "--acted-503",
        action="store_true",
        help=f"also {ACTED_503_SHARE:.0%} 503s after the request was carried out",
    )
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="stripe-aep-soak-"))
    _prepare_airflow(home, args.dags_folder)
    from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

    dag_id = args.dag or present_dag(folder=args.dags_folder)
    shares = dict(FAULT_SHARES, **({"503_acted": ACTED_503_SHARE} if args.acted_503 else {}))
    rules = fault_rules(shares, args.scale, args.request_timeout)
    print(f"fault rules on /data/* (seed {args.seed}, combined rate {combined_rate(rules):.0%}):")
    for rule in rules:
        print(f"  {json.dumps(rule)}")
    config = EmulatorConfig(run_seconds=0.2, run_interval_seconds=600.0, seed=args.seed)
    with EmulatorServer(config) as aep:
        scaled = {k: v * args.scale for k, v in shares.items()}
        result = run_soak(aep, args.runs, dag_id, home / "soak-output.log", scaled, args.request_timeout)
    print(result.report())
    if args.json:
        figures = {**asdict(result), "faults": dict(result.faults), "ok": result.ok}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"output of the runs: {home / 'soak-output.log'}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
