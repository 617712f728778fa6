"""DAG files are parsed again and again: importing the operators, sensor, hooks and trigger must not
load the HTTP stack, XDM inference or the emulator. They are imported where they are used."""

from __future__ import annotations

import json
import subprocess
import sys

PROVIDER_PACKAGES = ("operators", "sensors", "hooks", "triggers", "task_groups")
"""Every module of these subpackages (those that exist) is imported, so new ones are checked too."""
HEAVY = (
    "requests",
    "urllib3",
    "fastapi",
    "uvicorn",
    "airflow_provider_stripe_aep.xdm.inference",
    "airflow_provider_stripe_aep.emulator",
    "airflow_provider_stripe_aep.client.http",
    "airflow_provider_stripe_aep.client.async_http",
    "airflow.providers.common.compat.connection",  # only the trigger's async connection lookup
)

PROBE = """
import importlib, importlib.util, json, pkgutil, sys
heavy = json.loads(sys.argv[1])
import airflow.providers.common.compat.sdk  # what every DAG file loads anyway
import airflow.triggers.base
from airflow_provider_stripe_aep.version_compat import NeedsAirflow3Error
before = {m for m in heavy if m in sys.modules}
names = []
for name in json.loads(sys.argv[2]):
    spec = importlib.util.find_spec(name)
    if spec is None:
        continue
    names.append(name)
    for info in pkgutil.iter_modules(spec.submodule_search_locations or []):
        names.append(f"{name}.{info.name}")
for name in names:
    try:
        importlib.import_module(name)
    except NeedsAirflow3Error:  # an Airflow-3-only module on Airflow 2 refuses, by design
        pass
loaded = sorted(m for m in heavy if m in sys.modules and m not in before)
print(json.dumps({"imported": names, "heavy": loaded}))
"""


def _probe(modules: list[str]) -> dict[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), json.dumps(modules)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_provider_modules_load_nothing_heavy() -> None:
    result = _probe([f"airflow_provider_stripe_aep.{sub}" for sub in PROVIDER_PACKAGES])
    assert "airflow_provider_stripe_aep.operators.schema" in result["imported"]
    assert "airflow_provider_stripe_aep.triggers.dataflow_run" in result["imported"]
    assert result["heavy"] == []


def test_the_probe_sees_a_heavy_import() -> None:
    """Importing the HTTP sender (as building a client does) is seen by the probe."""
    result = _probe(["airflow_provider_stripe_aep.client.http"])
    assert "airflow_provider_stripe_aep.client.http" in result["heavy"]
