"""A pytest plugin for your own DAG tests (the moto model): the bundled AEP emulator on a loopback port,
and Airflow connections that point at it. Registered through the `pytest11` entry point, so it is
there as soon as the package is installed; the emulator needs the `[emulator]` extra::

    @pytest.mark.usefixtures("aep_airflow_db")
    def test_my_dag(aep_connections):                 # the emulator is up, aep_default points at it
        dag = DagBag().dags["my_onboarding"]
        assert "success" in str(dag.test().state)
        assert aep_connections.state.request_log      # what your DAG asked of AEP

Fixtures: `aep_emulator` (the running `EmulatorServer`), `aep_connections` (the same, with the
`aep_default`, `stripe_default` and `paypal_default` connections set as `AIRFLOW_CONN_*` environment
variables for the test), `aep_emulator_config` (override it to configure the emulator) and
`aep_airflow_db` (Airflow's metadata database, migrated once per session).

This module is imported by pytest for every user of the package: it imports nothing heavy (no Airflow,
no web stack) until a fixture runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

EXTRA_HINT = 'pip install "airflow-provider-stripe-aep[emulator]"'
# Made-up credentials the emulator accepts (it checks no client secret unless configured to).
CLIENT_ID = "it-client-id"
CLIENT_SECRET = "it-client-secret-7f3a9"  # noqa: S105 - made up, for the emulator
ORG_ID = "ITORG@AdobeOrg"
STRIPE_KEY = "it-stripe-key-c41d0e"
PAYPAL_SECRET = "it-paypal-secret-5b2e"  # noqa: S105 - made up, for the emulator


def aep_connection(server: Any, **extra: Any) -> dict[str, Any]:
    """An `adobe_experience_platform` connection (as a dict for `AIRFLOW_CONN_*`) to the emulator
    `server`, with short retry backoffs; `extra` adds or overrides connection extras."""
    return {
        "conn_type": "adobe_experience_platform",
        "host": server.url,
        "login": CLIENT_ID,
        "password": CLIENT_SECRET,
        "extra": {
            "org_id": ORG_ID,
            "sandbox": "prod",
            "ims_token_url": server.ims_url,
            "backoff_base": 0.05,
            "backoff_max": 0.2,
            **extra,
        },
    }


def connection_env(server: Any) -> dict[str, str]:
    """The `AIRFLOW_CONN_*` variables of the default AEP, Stripe and PayPal connections."""
    paypal = {"conn_type": "generic", "host": "https://api-m.sandbox.paypal.com"}
    return {
        "AIRFLOW_CONN_AEP_DEFAULT": json.dumps(aep_connection(server)),
        "AIRFLOW_CONN_STRIPE_DEFAULT": json.dumps({"conn_type": "stripe", "password": STRIPE_KEY}),
        "AIRFLOW_CONN_PAYPAL_DEFAULT": json.dumps(
            {**paypal, "login": "it-paypal-client", "password": PAYPAL_SECRET}
        ),
    }


@pytest.fixture
def aep_emulator_config() -> Any:
    """The emulator's settings (an `EmulatorConfig`); runs end after 0.5 s. Override in your conftest."""
    return _emulator().EmulatorConfig(run_seconds=0.5, run_interval_seconds=1.0)


@pytest.fixture
def aep_emulator(aep_emulator_config: Any) -> Iterator[Any]:
    """The AEP emulator (IMS, Flow Service, Schema Registry, Catalog, Data Prep) on a free loopback
    port for one test: `.url`, `.ims_url`, `.state` (what was created, `request_log`)."""
    with _emulator().EmulatorServer(aep_emulator_config) as server:
        yield server


@pytest.fixture
def aep_connections(aep_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The emulator, with `aep_default`, `stripe_default` and `paypal_default` pointing at it."""
    for name, value in connection_env(aep_emulator).items():
        monkeypatch.setenv(name, value)
    return aep_emulator


@pytest.fixture(scope="session")
def aep_airflow_db() -> None:
    """Airflow's metadata database, migrated once per test session (what `dag.test()` needs), for the
    Airflow configuration the tests run with (`AIRFLOW_HOME`, `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`)."""
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if done.returncode:
        pytest.fail(f"airflow db migrate failed:\n{done.stderr[-2000:]}", pytrace=False)


def _emulator() -> Any:
    """The emulator package, imported when a fixture first needs it."""
    try:
        from airflow_provider_stripe_aep import emulator
    except ImportError as exc:  # fastapi or uvicorn missing
        pytest.fail(
            f"The aep_emulator fixture needs the [emulator] extra ({exc.name} is not installed): "
            f"{EXTRA_HINT}",
            pytrace=False,
        )
    return emulator
