"""Crash and re-run through dag.test(): a task that dies right after its create was carried out, a run
that fails and is run again, and an IMS token that expires mid-run. Each ends with every resource once.
(Killing real task processes is in test_real_airflow.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import inventory
import pytest
from aep_testing import load_dag, return_values

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

DAG_ID = "stripe_to_aep_onboarding"
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("airflow_db")]


class Crash(RuntimeError):
    """Stands for the worker dying right after AEP carried out its create."""


def crash_after(monkeypatch: pytest.MonkeyPatch, method: str, times: int = 1) -> list[Any]:
    """Make the hook's `method` do its work, then raise, the first `times` calls."""
    original = getattr(AdobeExperiencePlatformHook, method)
    results: list[Any] = []

    def crashing(self: AdobeExperiencePlatformHook, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        results.append(result)
        if len(results) <= times:
            raise Crash(f"{method} crashed after creating {result}")
        return result

    monkeypatch.setattr(AdobeExperiencePlatformHook, method, crashing)
    return results


def dag_with(retries: int) -> Any:
    dag = load_dag(DAG_ID)
    for task in dag.tasks:
        task.retries = retries
        task.retry_delay = timedelta(0)
    return dag


def made(aep: Any, prefix: str) -> dict[str, list[dict[str, Any]]]:
    return inventory.with_prefix(inventory.resources(inventory.state_dump(aep.url)), prefix)


def test_a_task_that_dies_after_each_create_is_retried_and_creates_nothing_twice(connections, monkeypatch):
    aep = connections
    steps = ["ensure_base_connection", "ensure_schema", "ensure_mapping_set", "ensure_dataflow"]
    calls = {step: crash_after(monkeypatch, step) for step in steps}
    dagrun = dag_with(retries=1).test(run_conf={"name_prefix": "Crash", "poll_interval": 0.1})
    assert str(dagrun.state).endswith("success")
    for step, results in calls.items():
        assert len(results) == 2 and results[0] == results[1], step  # the retry found the first one
    found = made(aep, "Crash")
    assert inventory.counts(found) == inventory.expected_counts(1)
    xcom = return_values(DAG_ID, dagrun.run_id)
    created = inventory.created_ids((task, key, value) for (task, key), value in xcom.items())
    assert {i for _, i in created} <= inventory.ids(found)


def test_a_failed_run_run_again_finishes_and_creates_nothing_twice(connections, monkeypatch):
    aep = connections
    conf = {"name_prefix": "Rerun", "poll_interval": 0.1}
    original = AdobeExperiencePlatformHook.ensure_target_connection
    crash_after(monkeypatch, "ensure_target_connection", times=99)
    first = dag_with(retries=0).test(run_conf=conf)
    assert str(first.state).endswith("failed")
    before = inventory.counts(made(aep, "Rerun"))
    assert before["target connection"] == 1 and before["dataflow"] == 0
    monkeypatch.setattr(AdobeExperiencePlatformHook, "ensure_target_connection", original)
    aep.state.request_log.clear()
    second = dag_with(retries=0).test(run_conf=conf)
    assert str(second.state).endswith("success")
    assert inventory.counts(made(aep, "Rerun")) == inventory.expected_counts(1)
    creates = [
        r["path"] for r in aep.state.request_log if r["method"] == "POST" and r["path"].startswith("/data/")
    ]
    # Only the steps after the crash create anything: the dataflow (and Data Prep's validation).
    assert [p for p in creates if not p.endswith("/validate")] == ["/data/foundation/flowservice/flows"]


def test_a_token_that_expires_mid_run_is_replaced_once(connections, monkeypatch):
    aep = connections
    original = AdobeExperiencePlatformHook.ensure_dataset

    def expire_first(self: AdobeExperiencePlatformHook, *args: Any, **kwargs: Any) -> Any:
        assert aep.state.expire_tokens() >= 1
        return original(self, *args, **kwargs)

    monkeypatch.setattr(AdobeExperiencePlatformHook, "ensure_dataset", expire_first)
    dagrun = dag_with(retries=0).test(run_conf={"name_prefix": "Expired", "poll_interval": 0.1})
    assert str(dagrun.state).endswith("success")
    assert inventory.counts(made(aep, "Expired")) == inventory.expected_counts(1)
    statuses = [r["status"] for r in aep.state.request_log if r["path"].startswith("/data/")]
    assert 401 in statuses
    token_posts = [r for r in aep.state.request_log if r["path"] == "/ims/token/v3"]
    assert len(token_posts) == 2  # the first, and one after the expiry (dag.test: one process)
