"""DAG files are parsed again and again: importing the operators, sensor, hooks and trigger must not
load the HTTP stack, XDM inference or the emulator. They are imported where they are used."""

from __future__ import annotations

import json
import subprocess
import sys

PROVIDER_MODULES = (
    "airflow_provider_stripe_aep.operators.connections",
    "airflow_provider_stripe_aep.operators.dataflow",
    "airflow_provider_stripe_aep.operators.mapping",
    "airflow_provider_stripe_aep.operators.schema",
    "airflow_provider_stripe_aep.sensors.dataflow_run",
    "airflow_provider_stripe_aep.hooks.aep",
    "airflow_provider_stripe_aep.triggers.dataflow_run",
)
HEAVY = (
    "requests",
    "urllib3",
    "fastapi",
    "uvicorn",
    "airflow_provider_stripe_aep.xdm",
    "airflow_provider_stripe_aep.emulator",
    "airflow_provider_stripe_aep.client.http",
    "airflow_provider_stripe_aep.client.async_http",
)

PROBE = """
import importlib, json, sys
heavy = json.loads(sys.argv[1])
import airflow.providers.common.compat.sdk  # what every DAG file loads anyway
import airflow.triggers.base
before = {m for m in heavy if m in sys.modules}
for name in json.loads(sys.argv[2]):
    importlib.import_module(name)
print(json.dumps(sorted(m for m in heavy if m in sys.modules and m not in before)))
"""


def _newly_loaded(modules: tuple[str, ...]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), json.dumps(list(modules))],
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_provider_modules_load_nothing_heavy() -> None:
    assert _newly_loaded(PROVIDER_MODULES) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """Importing the HTTP sender (as building a client does) is seen by the probe."""
    loaded = _newly_loaded(("airflow_provider_stripe_aep.client.http",))
    assert "airflow_provider_stripe_aep.client.http" in loaded
