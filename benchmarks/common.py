"""What every benchmark shares: the machine and versions, statistics, the result table."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DAGS = ROOT / "example_dags"
DBT_CLOUD_DIR = ROOT / ".bench" / "dbt-cloud"
"""Where `make bench` installs the dbt Cloud provider (and what it needs beyond our venv), for the
side-by-side import measurement only; it is not a dependency of the project."""


@dataclass
class Row:
    section: str
    measure: str
    value: str
    target: str = ""
    verdict: str = ""


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def pkg_version(name: str, path: Path | None = None) -> str:
    if path is not None:
        for dist in path.glob(f"{name.replace('-', '_')}-*.dist-info"):
            return dist.name.removesuffix(".dist-info").split("-")[1]
        return "not installed"
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine_lines() -> list[str]:
    return [
        f"machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, {memory_gib()} RAM, "
        f"load average at start {load_average()}",
        f"versions: Python {platform.python_version()}, apache-airflow {pkg_version('apache-airflow')}, "
        f"airflow-provider-stripe-aep {pkg_version('airflow-provider-stripe-aep')}, "
        "apache-airflow-providers-dbt-cloud "
        f"{pkg_version('apache-airflow-providers-dbt-cloud', DBT_CLOUD_DIR)}, "
        f"requests {pkg_version('requests')}, httpx {pkg_version('httpx')}, "
        f"fastapi {pkg_version('fastapi')}, uvicorn {pkg_version('uvicorn')}",
    ]


def airflow_env(home: Path | None = None, **extra: str) -> dict[str, str]:
    """An environment for child interpreters: an isolated Airflow home, no example DAGs."""
    home = home or Path(tempfile.mkdtemp(prefix="stripe-aep-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "PYTHONDONTWRITEBYTECODE": "",
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE")
    env.update(extra)
    return env


def run_python(code: str, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code, *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def render_table(rows: list[Row]) -> str:
    header = ("benchmark", "measure", "value", "target", "met")
    cells = [header] + [(r.section, r.measure, r.value, r.target, r.verdict) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(c) for c in cells[1:])])
