"""``python -m airflow_provider_stripe_aep.emulator`` starts, announces its URL and serves."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests


def test_cli_serves_until_terminated(tmp_path: Path) -> None:
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps([{"kind": "429", "times": 1, "retry_after": 1}]))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_provider_stripe_aep.emulator",
            "--port",
            "0",
            "--tenant-id",
            "clitenant",
            "--faults-json",
            str(faults),
            "--fault",
            "503:times=1:path_regex=/stats",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("AEP emulator listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        assert requests.get(f"{url}/_emulator/health", timeout=5).json() == {"status": "ok"}
        first = requests.post(f"{url}/ims/token/v3", data={"grant_type": "client_credentials"}, timeout=5)
        assert first.status_code == 429 and first.headers["Retry-After"] == "1"
        rules = requests.get(f"{url}/_emulator/faults", timeout=5).json()
        assert [r["kind"] for r in rules] == ["503", "429"]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_cli_help_documents_faults() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "airflow_provider_stripe_aep.emulator", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--fault" in result.stdout and "commit_drop" in result.stdout and "--run-seconds" in result.stdout
