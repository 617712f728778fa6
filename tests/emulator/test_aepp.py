"""Adobe's own Python client (aepp 0.6.0) drives an onboarding against the emulator.

aepp is not a dependency of the project: its requirements (pandas, matplotlib, pygraphviz, which needs
Graphviz's C headers to build, psycopg2, rdflib, datamodel-code-generator, ...) are far heavier than a
test extra should carry. The test installs aepp 0.6.0 with ``--no-deps`` into a temporary directory,
with the few packages the modules it drives import (``deprecation``, ``pandas`` and its own
requirements), through ``uv`` (from its cache when the machine has one) or pip, and runs
``aepp_onboarding.py`` in a subprocess with that directory on ``PYTHONPATH``.

Judged from the emulator's request log: every call aepp makes the documented way succeeds (2xx), and
each call that departs from the reference gets the reference's answer (listed in ``REFUSED``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

AEPP_REQUIREMENTS = ("aepp==0.6.0", "deprecation==2.1.0", "pandas", "numpy", "tzdata", "pytz")
DRIVER = Path(__file__).with_name("aepp_onboarding.py")

#: (method, path regex, status): what aepp sends that the reference does not document, and the answer.
REFUSED = [
    # trailing slashes (aepp's getStats/createFieldGroup/createSchema/getSchemas); documented without
    ("GET", r"/schemaregistry/stats/$", 404),
    ("POST", r"/schemaregistry/tenant/fieldgroups/$", 405),
    ("POST", r"/schemaregistry/tenant/schemas/$", 405),
    ("GET", r"/schemaregistry/tenant/schemas/$", 404),
    # getSchema(full=True) asks for application/vnd.adobe.xdm-full+json; lookups take xed-* (§3.2)
    ("GET", r"/schemaregistry/tenant/schemas/https:", 400),
    # the mapping set with nosuchfn(...) (§5, Data Prep functions)
    ("POST", r"/conversion/mappingSets$", 400),
    # getMappingSets sends limit without start; both are required (§5)
    ("GET", r"/conversion/mappingSets$", 400),
    # createFlow(schedule_frequency="once") sends interval 0 and timeUnit; "once" takes no interval (§2.6)
    ("POST", r"/flowservice/flows$", 400),
    # deleting a base connection that a flow still uses (§2.12, 1418-400)
    ("DELETE", r"/flowservice/connections/[^/]+$", 400),
]

SUCCEEDS = [
    "FlowService() mints an IMS token",
    "GET /stats through aepp's connector",
    "getConnectionSpec(stripe)",
    "getFlowSpec(rest)",
    "createConnection (Stripe base connection)",
    "connectionTest",
    "explore through aepp's connector",
    "createSourceConnection",
    "POST /tenant/fieldgroups through aepp's connector",
    "POST /tenant/schemas through aepp's connector",
    "createDataSet",
    "createTargetConnection",
    "createMappingSet (validate=true)",
    "createMappingSet with an unknown function is refused",
    "getMappingSet",
    "createFlow (documented body)",
    "createFlow (aepp's 'once' schedule: interval 0, timeUnit) is refused",
    "getFlow",
    "getFlows",
    "updateFlow (PATCH + If-Match)",
    "postFlowAction disable",
    "postFlowAction enable",
    "createRun (on-demand)",
    "getRun",
    "getRuns (property=flowId==)",
    "getConnections",
    "deleteConnection while a flow uses it is refused",
    "deleteFlow",
    "deleteSourceConnection",
    "deleteTargetConnection",
    "deleteConnection",
    "deleteMappingSet",
    "deleteDataSet",
    "deleteSchema",
    "deleteFieldGroup",
]


def _install(target: Path) -> None:
    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if Path(uv).exists():
        command = [uv, "pip", "install", "--python", sys.executable, "--target", str(target), "--no-deps"]
    else:
        command = [sys.executable, "-m", "pip", "install", "--target", str(target), "--no-deps", "-q"]
    subprocess.run([*command, *AEPP_REQUIREMENTS], check=True, capture_output=True, timeout=600)


@pytest.fixture(scope="module")
def aepp_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("aepp")
    _install(target)
    yield target


def _run_driver(aepp_path: Path, url: str) -> list[dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": str(aepp_path)}
    done = subprocess.run(
        [sys.executable, str(DRIVER), url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=aepp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"step"')]


@pytest.mark.slow
def test_aepp_onboarding(aepp_path: Path) -> None:
    with EmulatorServer(EmulatorConfig(run_seconds=0.3)) as server:
        steps = _run_driver(aepp_path, server.url)
        log = server.state.request_log
    results = {s["step"]: s for s in steps}
    failed = [name for name in SUCCEEDS if not results.get(name, {}).get("ok")]
    assert failed == [], [results.get(name) for name in failed]

    unexpected = []
    refused = list(REFUSED)
    for entry in log:
        if 200 <= entry["status"] < 300:
            continue
        match = next(
            (
                r
                for r in refused
                if r[0] == entry["method"] and re.search(r[1], entry["path"]) and r[2] == entry["status"]
            ),
            None,
        )
        if match is None:
            unexpected.append(entry)
        else:
            refused.remove(match)
    assert unexpected == [], unexpected
    assert refused == [], f"expected refusals that did not happen: {refused}"
    assert sum(1 for e in log if 200 <= e["status"] < 300 and e["path"].startswith("/data/")) >= 30
