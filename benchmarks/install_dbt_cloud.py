"""Install the dbt Cloud provider, and only what it needs beyond our venv, into `.bench/dbt-cloud`
for the side-by-side parse benchmark. Nothing is installed into the venv itself."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from benchmarks.common import DBT_CLOUD_DIR

PACKAGE = "apache-airflow-providers-dbt-cloud"


def main() -> None:
    uv = [str(Path(sys.executable).with_name("uv")), "pip", "install", "--python", sys.executable]
    plan = subprocess.run(  # noqa: S603 - our own uv
        [*uv, "--dry-run", PACKAGE], check=True, capture_output=True, text=True
    )
    pins = re.findall(r"^\s*\+\s*(\S+==\S+)\s*$", plan.stdout + plan.stderr, flags=re.MULTILINE)
    if not any(p.startswith(PACKAGE + "==") for p in pins):
        raise SystemExit(f"uv did not plan {PACKAGE}:\n{plan.stdout}{plan.stderr}")
    DBT_CLOUD_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([*uv, "--target", str(DBT_CLOUD_DIR), "--no-deps", *pins], check=True)  # noqa: S603
    print(f"installed into {DBT_CLOUD_DIR}: {' '.join(pins)}")


if __name__ == "__main__":
    main()
