"""A real Airflow API server with its own home and port, for the UI tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

CLIENT_SECRET = "ui-client-secret-5e1b7"
EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Airflow:
    """An `airflow api-server` in its own process group, home and port; `cli()` runs commands there."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        self.env.update(
            {
                "AIRFLOW_HOME": str(home),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_FOLDER": str(EXAMPLE_DAGS),
                "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
                "AIRFLOW__CORE__AUTH_MANAGER": (
                    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
                ),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
                "AIRFLOW__API__BASE_URL": self.url,
                "AIRFLOW__API__WORKERS": "1",
            }
        )
        self.airflow = str(Path(sys.executable).with_name("airflow"))
        self.process: subprocess.Popen[bytes] | None = None
        self.log = home / "api-server.log"
        self._token: str | None = None

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.airflow, *args], env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def start(self, timeout: float = 150) -> None:
        migrated = self.cli("db", "migrate", timeout=300)
        assert migrated.returncode == 0, migrated.stderr[-2000:]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [self.airflow, "api-server", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/api/v2/version", timeout=2) as answer:
                    if answer.status == 200:
                        return
            time.sleep(0.5)
        raise AssertionError(f"the API server did not answer in {timeout} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        """Stop the server's process group (the server and its workers), and nothing else."""
        if self.process is None or self.process.poll() is not None:
            return
        pgid = os.getpgid(self.process.pid)
        os.killpg(pgid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(pgid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def api(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """A call to the REST API as the (all-admin) simple auth manager user."""
        if self._token is None:
            request = urllib.request.Request(f"{self.url}/auth/token", method="GET")
            with urllib.request.urlopen(request, timeout=10) as answer:
                self._token = json.load(answer)["access_token"]
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/api/v2{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)
