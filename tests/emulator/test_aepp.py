"""Adobe's own Python client (aepp 0.6.0) drives an onboarding against the emulator.

aepp's own requirements (pandas, matplotlib, pygraphviz, which needs Graphviz's C headers to build,
psycopg2, rdflib, datamodel-code-generator, ...) are far heavier than a test extra should carry, so
``make venv`` installs aepp 0.6.0 with ``--no-deps`` and the pinned ``[aepp-test]`` extra holds the few
packages the modules it drives import (``deprecation``, ``pandas``, ``numpy``, ``pytz``). Nothing is
installed while the tests run: ``aepp_onboarding.py`` runs in a subprocess of the test venv's Python.

Judged from the emulator's request log: every call aepp makes the documented way succeeds (2xx), and
each call that departs from the reference gets the reference's answer (listed in ``REFUSED``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

DRIVER = Path(__file__).with_name("aepp_onboarding.py")

#: (method, path regex, status): what aepp sends that the reference does not document, and the answer.
REFUSED = [
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
    # Data Prep documents no DELETE /mappingSets/{id} (§5); aepp sends one
    ("DELETE", r"/conversion/mappingSets/[^/]+$", 405),
]

SUCCEEDS = [
    "FlowService() mints an IMS token",
    "schema.getTenantId (GET /stats/)",
    "GET /stats through aepp's connector",
    "getConnectionSpec(stripe)",
    "getFlowSpec(rest)",
    "createConnection (Stripe base connection)",
    "connectionTest",
    "explore through aepp's connector",
    "createSourceConnection",
    "createFieldGroup (POST /tenant/fieldgroups/)",
    "createSchema (POST /tenant/schemas/)",
    "getSchemas",
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
    "deleteMappingSet is refused (Data Prep documents no DELETE)",
    "deleteDataSet",
    "deleteSchema",
    "deleteFieldGroup",
]


def _run_driver(url: str, cwd: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, str(DRIVER), url], capture_output=True, text=True, timeout=300, cwd=cwd
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"step"')]


@pytest.mark.slow
def test_aepp_onboarding(tmp_path: Path) -> None:
    with EmulatorServer(EmulatorConfig(run_seconds=0.3)) as server:
        steps = _run_driver(server.url, tmp_path)
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
