"""Two processes onboarding the same names at the same moment (AEP has no unique-name constraint): a
real race over loopback HTTP, both sides looking up before either creates."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from aep_testing import aep_connection

from airflow_provider_stripe_aep.client import AEPClient
from airflow_provider_stripe_aep.hooks.connection_config import build_client_config
from airflow_provider_stripe_aep.resources.get_or_create import ensure, ensure_reconciled
from airflow_provider_stripe_aep.sources import stripe

log = logging.getLogger(__name__)
RACERS = 2


def client_for(server) -> AEPClient:
    conn = aep_connection(server)
    config = build_client_config(
        conn_id="aep_race",
        host=conn["host"],
        login=conn["login"],
        password=conn["password"],
        extra=json.dumps(conn["extra"]),
    )
    return AEPClient(config)


def body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "connectionSpec": {"id": stripe.STRIPE_CONNECTION_SPEC_ID, "version": "1.0"},
        "auth": {"specName": stripe.STRIPE_AUTH_SPEC_NAME, "params": {"accessToken": "k-123456"}},
    }


def race(server, name: str, reconciled: bool) -> list[str]:
    """RACERS threads, each with its own client, look the name up; only when all have found nothing
    do they create. Returns the ID each one ended up with."""
    all_looked = threading.Barrier(RACERS, timeout=30)
    results: list[str] = []
    errors: list[BaseException] = []

    def racer() -> None:
        flows = client_for(server).flows

        def find() -> dict[str, Any] | None:
            found = flows.find_by_name("connections", name)
            if not all_looked.broken and found is None:
                all_looked.wait()  # every racer has looked and found nothing: now all create
            return found

        create: Callable[[], str] = lambda: flows.create("connections", body(name))["id"]  # noqa: E731
        try:
            if reconciled:
                got = ensure_reconciled(
                    "base connection",
                    name,
                    find=find,
                    find_all=lambda: [c for c in flows.iter("connections") if c.get("name") == name],
                    create=create,
                    delete=lambda cid: flows.delete("connections", cid),
                    expected={},
                    on_conflict="fail",
                    log=log,
                )
            else:
                got = ensure(
                    "base connection",
                    name,
                    find=find,
                    create=create,
                    expected={},
                    on_conflict="fail",
                    log=log,
                )
            results.append(got)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


def named(server, name: str) -> list[dict[str, Any]]:
    return [c for c in server.state.sandbox("prod").connections.values() if c["name"] == name]


def test_without_reconcile_a_race_leaves_two_resources_of_one_name(aep):
    """The race is real: a lookup before the create does not stop it."""
    results = race(aep, "Race plain", reconciled=False)
    assert len(set(results)) == RACERS
    assert len(named(aep, "Race plain")) == RACERS


def test_with_reconcile_the_oldest_wins_and_the_loser_deletes_its_own(aep):
    results = race(aep, "Race reconciled", reconciled=True)
    left = named(aep, "Race reconciled")
    assert len(left) == 1
    assert results == [left[0]["id"]] * RACERS
    deletes = [
        r
        for r in aep.state.request_log
        if r["method"] == "DELETE" and "/flowservice/connections/" in r["path"]
    ]
    assert len(deletes) == RACERS - 1
