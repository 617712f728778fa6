"""`make demo`: start the bundled AEP emulator, point the Airflow connections at it, run the onboarding
DAG with `airflow dags test`, then print the created IDs and the run's outcome."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "example_dags"
DAG_ID = "stripe_to_aep_onboarding"
TASKS = [
    ("create_base_connection", "base connection"),
    ("create_source_connection", "source connection"),
    ("create_target_schema", "target schema"),
    ("create_dataset", "dataset"),
    ("create_target_connection", "target connection"),
    ("create_mapping_set", "mapping set"),
    ("create_dataflow", "dataflow"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"The emulator exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_emulator/health", timeout=1):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"The emulator did not answer at {url} within {seconds:.0f} s")


def airflow_env(url: str, home: Path) -> dict[str, str]:
    aep = {
        "conn_type": "adobe_experience_platform",
        "host": url,
        "login": "demo-client-id",
        "password": "demo-client-secret",
        "extra": {"org_id": "DEMO0RG@AdobeOrg", "sandbox": "prod", "ims_token_url": f"{url}/ims/token/v3"},
    }
    stripe = {"conn_type": "stripe", "password": "demo-stripe-key"}
    env = dict(os.environ)
    if version("apache-airflow").startswith("2."):  # Airflow 2 refuses SQLite with LocalExecutor
        env["AIRFLOW__CORE__EXECUTOR"] = "SequentialExecutor"
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW_CONN_AEP_DEFAULT": json.dumps(aep),
            "AIRFLOW_CONN_STRIPE_DEFAULT": json.dumps(stripe),
        }
    )
    return env


def main() -> int:
    airflow = str(Path(sys.executable).with_name("airflow"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    home = Path(tempfile.mkdtemp(prefix="stripe-aep-demo-"))
    env = airflow_env(url, home)
    emulator = subprocess.Popen(  # noqa: S603 - our own module
        [
            sys.executable,
            "-m",
            "airflow_provider_stripe_aep.emulator",
            "--port",
            str(port),
            "--run-seconds",
            "3",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_until_up(url, emulator)
        print(f"AEP emulator running at {url}; Airflow home {home}")
        subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)  # noqa: S603
        conf = json.dumps({"resource_path": "charges", "poll_interval": 1, "name_prefix": "Demo"})
        result = subprocess.run(  # noqa: S603
            [airflow, "dags", "test", DAG_ID, "--conf", conf], env=env, capture_output=True, text=True
        )
        log = home / "dags-test.log"
        log.write_text(result.stdout + result.stderr)
        return report(read_outcome(env), result.returncode, log)
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)


XCOM_READER = """
import json, sys
from airflow.models.dagrun import DagRun
try:
    from airflow.models.xcom import XComModel
except ImportError:  # Airflow 2
    from airflow.models.xcom import XCom as XComModel
from airflow.utils.session import create_session
with create_session() as session:
    run = session.query(DagRun).filter(DagRun.dag_id == sys.argv[1]).order_by(DagRun.id.desc()).first()
    rows = session.query(XComModel).filter(XComModel.dag_id == sys.argv[1], XComModel.run_id == run.run_id,
                                           XComModel.key == "return_value").all()
    print(json.dumps({"state": str(run.state), "xcom": {r.task_id: r.value for r in rows}}, default=str))
"""


def read_outcome(env: dict[str, str]) -> dict:
    """The DAG run's state and return-value XComs, read from the Airflow metadata database."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", XCOM_READER, DAG_ID], env=env, capture_output=True, text=True, check=True
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    outcome["xcom"] = {
        k: json.loads(v) if isinstance(v, str) and v[:1] in '[{"' else v for k, v in outcome["xcom"].items()
    }
    return outcome


def report(outcome: dict, returncode: int, log: Path) -> int:
    xcom = outcome["xcom"]
    print(f"\n{'resource':<20} ID")
    for task_id, label in TASKS:
        print(f"{label:<20} {xcom.get(task_id, '-')}")
    run = xcom.get("wait_for_run") or {}
    if run:
        counts = ", ".join(f"{k} {v}" for k, v in run.get("counts", {}).items())
        print(f"\ndataflow run {run.get('run_id')}: {run.get('status')} ({counts})")
    print(f"DAG run {outcome['state']} (airflow dags test exit code {returncode}); log: {log}")
    return returncode if outcome["state"].endswith("success") else (returncode or 1)


if __name__ == "__main__":
    sys.exit(main())
