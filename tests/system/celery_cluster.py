"""A real Airflow 3 on CeleryExecutor for tests: Redis (Debian's `redis-server`) as the broker and the
result backend on a free loopback port, two Celery workers and two triggerers beside the scheduler,
DAG processor and API server of `AirflowCluster`.

Every process (Redis included) runs in its own process group, and only those groups are stopped.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import dataclass, field

from airflow_cluster import AirflowCluster, airflow_bin, free_port

WORKERS = 2
TRIGGERERS = 2


def redis_server_bin() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if shutil.which("/usr/bin/redis-server") else None
    )
    if not found:
        raise RuntimeError("redis-server is not installed: `make test-celery` installs Debian's package")
    return found


@dataclass
class CeleryCluster(AirflowCluster):
    redis_port: int = field(default_factory=free_port)

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}"

    def env(self) -> dict[str, str]:
        env = super().env()
        env.update(
            {
                "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
                "AIRFLOW__CORE__PARALLELISM": "8",
                "AIRFLOW__CELERY__BROKER_URL": f"{self.redis_url}/0",
                "AIRFLOW__CELERY__RESULT_BACKEND": f"{self.redis_url}/1",
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
                "AIRFLOW__CELERY__SYNC_PARALLELISM": "1",
                "AIRFLOW__CELERY__OPERATION_TIMEOUT": "10",
            }
        )
        env.update(self.extra_env)
        return env

    def commands(self) -> dict[str, list[str]]:
        """Every process of the cluster: one scheduler, DAG processor and API server, two triggerers
        and two Celery workers (each with its own hostname; no log-serving sidecar: the logs are
        files under AIRFLOW_HOME, read by the test)."""
        airflow = airflow_bin()
        commands = {name: [airflow, name] for name in ("api-server", "scheduler", "dag-processor")}
        for n in range(1, TRIGGERERS + 1):
            commands[f"triggerer-{n}"] = [airflow, "triggerer", "--skip-serve-logs"]
        for n in range(1, WORKERS + 1):
            commands[f"worker-{n}"] = [
                airflow,
                "celery",
                "worker",
                "--celery-hostname",
                f"worker{n}@%h",
                "--concurrency",
                "2",
                "--skip-serve-logs",
                "--without-mingle",
                "--without-gossip",
            ]
        return commands

    def start(self, timeout: float = 180.0) -> CeleryCluster:
        self.home.mkdir(parents=True, exist_ok=True)
        self._start_redis(timeout)
        env = self.env()
        subprocess.run(
            [airflow_bin(), "db", "migrate"], env=env, check=True, capture_output=True, timeout=timeout
        )
        for name, argv in self.commands().items():
            out = (self.home / f"{name}.out").open("wb")
            self.procs[name] = subprocess.Popen(
                argv,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            out.close()
        self.wait_for(lambda: self._api_ok("/api/v2/monitor/health"), timeout, "the API server")
        self.wait_for(self.workers_ready, timeout, "two Celery workers")
        return self

    def _start_redis(self, timeout: float) -> None:
        out = (self.home / "redis.out").open("wb")
        self.procs["redis"] = subprocess.Popen(
            [
                redis_server_bin(),
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.home),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        out.close()
        self.wait_for(self._redis_ok, timeout, "Redis")

    def _redis_ok(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def workers_ready(self) -> bool:
        """Both workers said `ready` in their output (Celery prints it once it consumes the queue)."""
        ready = 0
        for n in range(1, WORKERS + 1):
            path = self.home / f"worker-{n}.out"
            if path.exists() and " ready." in path.read_text(encoding="utf-8", errors="replace"):
                ready += 1
        return ready == WORKERS

    def stop(self, grace: float = 15.0) -> None:
        # Airflow first, Redis last: the workers still talk to the broker while they shut down.
        redis = self.procs.pop("redis", None)
        try:
            super().stop(grace)
        finally:
            if redis is not None:
                self.procs["redis"] = redis
                redis.terminate()
                try:
                    redis.wait(10)
                except subprocess.TimeoutExpired:
                    redis.kill()
                    redis.wait(5)

    def worker_hosts(self) -> dict[str, int]:
        """Task instances run per Celery worker (the `hostname` Airflow records: both workers share the
        machine's name, so this counts by the worker's process output instead)."""
        counts = {}
        for n in range(1, WORKERS + 1):
            path = self.home / f"worker-{n}.out"
            text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
            counts[f"worker-{n}"] = text.count("Executing workload in Celery")
        return counts
