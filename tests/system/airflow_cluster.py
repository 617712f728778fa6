"""A real Airflow 3 for tests: scheduler, DAG processor, triggerer and API server as separate processes
(LocalExecutor, SQLite, like `airflow standalone`), with its own AIRFLOW_HOME and free ports.

Every process is started in its own process group (session) and only those groups are stopped.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
FINISHED = ("success", "failed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


@dataclass
class AirflowCluster:
    home: Path
    dags_folder: Path
    connections: dict[str, dict[str, Any]]
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def db_path(self) -> Path:
        return self.home / "airflow.db"

    def env(self) -> dict[str, str]:
        """Airflow's production defaults, plus only what this harness needs to run (named below);
        nothing that changes what a DAG means (timetables, data intervals, scheduling, pausing)."""
        # Start from a clean slate: nothing of the test process's own Airflow settings leaks in.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__"))}
        env.update(
            {
                # Where things are: a fresh home, the DAGs folder, a SQLite database and its executor.
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db_path}",
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",  # Airflow's own examples: not ours to run
                "AIRFLOW__CORE__PARALLELISM": "4",  # two shared cores
                # The API server on a free loopback port; the test drives it without logging in.
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__BASE_URL": self.url,
                "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
                "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
                # Every log line, for the secret checks.
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "DEBUG",
                # Faster loops and parsing, so the test waits less (timing only, not semantics).
                "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
                "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
                "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
                "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            }
        )
        for conn_id, conn in self.connections.items():
            env[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(conn)
        env.update(self.extra_env)
        return env

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, timeout: float = 180.0) -> AirflowCluster:
        self.home.mkdir(parents=True, exist_ok=True)
        env = self.env()
        subprocess.run(
            [airflow_bin(), "db", "migrate"],
            env=env,
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        for name in COMPONENTS:
            out = (self.home / f"{name}.out").open("wb")
            self.procs[name] = subprocess.Popen(
                [airflow_bin(), name],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            out.close()
        self.wait_for(lambda: self._api_ok("/api/v2/monitor/health"), timeout, "the API server")
        return self

    def stop(self, grace: float = 15.0) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            # The group outlives its leader when task processes linger: stop what is left of it.
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            if proc.poll() is None:
                proc.wait(5)

    def __enter__(self) -> AirflowCluster:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def check_alive(self) -> None:
        dead = {name: proc.returncode for name, proc in self.procs.items() if proc.poll() is not None}
        if dead:
            raise RuntimeError(f"Airflow components exited: {dead}; see {self.home}/*.out")

    def wait_for(self, predicate: Any, timeout: float, what: str, interval: float = 0.5) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise TimeoutError(f"{what} not ready within {timeout:.0f} s; see {self.home}/*.out")

    # -- REST API (SimpleAuthManager with every user an admin: no token needed) -------------------
    def api(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        # On SQLite, a write can wait out its 5 s lock while the scheduler writes and answer 500
        # (`database is locked`, rolled back): a GET or PATCH, which can be sent again, is, twice.
        for attempt in range(3):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    raw = response.read()
                return json.loads(raw) if raw else None
            except urllib.error.HTTPError as exc:
                if exc.code < 500 or method not in ("GET", "PATCH") or attempt == 2:
                    raise
                time.sleep(1)
        raise AssertionError("unreachable")

    def _api_ok(self, path: str) -> bool:
        try:
            self.api("GET", path)
        except (urllib.error.URLError, OSError, ValueError):
            return False
        return True

    def wait_for_dag(self, dag_id: str, timeout: float = 120.0) -> None:
        self.wait_for(lambda: self._api_ok(f"/api/v2/dags/{dag_id}"), timeout, f"DAG {dag_id}")

    def set_paused(self, dag_id: str, paused: bool) -> None:
        """DAGs are paused when they first appear (Airflow's default): a user unpauses what they use."""
        self.api("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": paused})

    def clear_run(self, dag_id: str, run_id: str) -> None:
        """The UI's Clear on a whole DAG run: every task runs again."""
        self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/clear", {"dry_run": False})

    def runs(self, dag_id: str) -> list[dict[str, Any]]:
        cols = ("run_id", "run_type", "state", "logical_date", "data_interval_start", "data_interval_end")
        rows = self.query(
            f"SELECT {', '.join(cols)} FROM dag_run WHERE dag_id = ? ORDER BY run_after", dag_id
        )
        return [dict(zip(cols, row, strict=True)) for row in rows]

    def trigger(self, dag_id: str, conf: dict[str, Any], run_id: str) -> str:
        body = {"dag_run_id": run_id, "logical_date": None, "conf": conf}
        return str(self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)["dag_run_id"])

    # -- metadata database, read directly ---------------------------------------------------------
    def query(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with closing(sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)) as db:
            return db.execute(sql, args).fetchall()

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        rows = self.query("SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?", dag_id, run_id)
        return rows[0][0] if rows else None

    def wait_for_runs(self, dag_id: str, run_ids: list[str], timeout: float) -> dict[str, str | None]:
        def finished() -> dict[str, str | None] | None:
            states = {run_id: self.run_state(dag_id, run_id) for run_id in run_ids}
            return states if all(s in FINISHED for s in states.values()) else None

        try:
            return self.wait_for(finished, timeout, f"runs {run_ids} of {dag_id}", interval=1.0)
        except TimeoutError:
            states = {run_id: self.run_state(dag_id, run_id) for run_id in run_ids}
            raise TimeoutError(f"{dag_id} runs not finished: {states}; see {self.home}") from None

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        cols = ("id", "task_id", "map_index", "state", "try_number", "start_date", "end_date")
        rows = self.query(
            f"SELECT {', '.join(cols)} FROM task_instance WHERE dag_id = ? AND run_id = ?",
            dag_id,
            run_id,
        )
        return [dict(zip(cols, row, strict=True)) for row in rows]

    def xcom_values(self, dag_id: str, run_id: str) -> dict[tuple[str, int, str], Any]:
        rows = self.query(
            "SELECT task_id, map_index, key, value FROM xcom WHERE dag_id = ? AND run_id = ?", dag_id, run_id
        )
        values: dict[tuple[str, int, str], Any] = {}
        for task_id, map_index, key, raw in rows:
            value = raw.decode() if isinstance(raw, bytes) else raw
            while isinstance(value, str) and value[:1] in '[{"':
                value = json.loads(value)
            values[(task_id, map_index, key)] = value
        return values

    # -- logs ------------------------------------------------------------------------------------
    def log_files(self) -> Iterator[Path]:
        """Every file the cluster wrote logs to: task and trigger logs, component output."""
        yield from sorted(p for p in (self.home / "logs").rglob("*") if p.is_file())
        yield from sorted(self.home.glob("*.out"))

    def task_log_files(self, dag_id: str, run_id: str) -> list[Path]:
        run_dir = self.home / "logs" / f"dag_id={dag_id}" / f"run_id={run_id}"
        return sorted(p for p in run_dir.rglob("*") if p.is_file())
