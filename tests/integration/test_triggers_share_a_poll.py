"""Triggers waiting on one flow in one event loop (as in a triggerer) share one `GET /runs` per
interval, and each ends on its own run; a shared read's failure reaches each as it would alone.
Real trigger class, real hook and HTTP, the emulator as AEP."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from aep_testing import aep_connection, onboard

from airflow_provider_stripe_aep.emulator import EmulatorConfig
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger

INTERVAL = 0.5
WAITS = 6


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Runs last 4 s from creation; the test creates them 0.3 s apart, so they end one by one.
    return EmulatorConfig(run_seconds=4.0, run_interval_seconds=600.0)


def runs_of_one_flow(aep, monkeypatch, count: int) -> tuple[str, list[str]]:
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep, max_attempts=2)))
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    run_ids = []
    for day in range(count):
        run_id, _ = hook.trigger_run(
            flow_id, window_start=1_700_000_000 + day * 86400, window_end=1_700_086_400 + day * 86400
        )
        run_ids.append(run_id)
        time.sleep(0.3)
    return flow_id, run_ids


def run_reads(aep, flow_id: str, run_ids: list[str]) -> int:
    """GETs of the flow's run list and of its runs by ID."""
    return sum(
        1
        for e in aep.state.request_log
        if e["method"] == "GET"
        and (
            (e["path"].endswith("/runs") and flow_id in e["query"]) or e["path"].rsplit("/", 1)[-1] in run_ids
        )
    )


def trigger(flow_id: str, run_id: str, interval: float = INTERVAL) -> AEPDataflowRunTrigger:
    return AEPDataflowRunTrigger(
        flow_id=flow_id,
        aep_conn_id="aep_default",
        poll_interval=interval,
        end_time=time.time() + 60,
        run_id=run_id,
    )


async def first_event(t: AEPDataflowRunTrigger) -> dict:
    return (await anext(t.run())).payload


def test_waits_on_one_flow_share_one_poll_per_interval_and_each_ends_on_its_own_run(aep, monkeypatch):
    flow_id, run_ids = runs_of_one_flow(aep, monkeypatch, WAITS)
    aep.state.request_log.clear()

    async def main() -> list[dict]:
        tasks = [asyncio.create_task(first_event(trigger(flow_id, r))) for r in run_ids]
        tasks.append(asyncio.create_task(first_event(trigger(flow_id, run_ids[-1], interval=5.0))))
        return await asyncio.gather(*tasks)

    started = time.monotonic()
    events = asyncio.run(main())
    elapsed = time.monotonic() - started
    assert [e["status"] for e in events] == ["success"] * (WAITS + 1)
    assert [e["summary"]["run_id"] for e in events] == [*run_ids, run_ids[-1]]
    reads = run_reads(aep, flow_id, run_ids)
    # One read per interval for all seven waits (polling alone they would send about seven times more),
    # all of them of the list: no run is asked by ID.
    print(f"{reads} run reads in {elapsed:.1f} s")
    assert 1 <= reads <= elapsed / INTERVAL + 2, (reads, elapsed)
    assert not [e for e in aep.state.request_log if "/runs/" in e["path"]]


def test_a_cancelled_wait_leaves_the_others_waiting(aep, monkeypatch):
    flow_id, run_ids = runs_of_one_flow(aep, monkeypatch, 2)

    async def main() -> dict:
        never = asyncio.create_task(first_event(trigger(flow_id, "no-such-run-yet")))
        stays = asyncio.create_task(first_event(trigger(flow_id, run_ids[-1])))
        await asyncio.sleep(INTERVAL * 1.5)
        never.cancel()
        with pytest.raises(asyncio.CancelledError):
            await never
        return await asyncio.wait_for(stays, 30)

    event = asyncio.run(main())
    assert event["status"] == "success" and event["summary"]["run_id"] == run_ids[-1]


def test_a_failed_shared_read_reaches_every_wait_as_it_would_alone(aep, monkeypatch):
    flow_id, run_ids = runs_of_one_flow(aep, monkeypatch, 2)
    aep.add_fault({"kind": "503", "rate": 1.0, "methods": ["GET"], "path_regex": "/runs"})
    aep.state.request_log.clear()

    async def main() -> list[dict]:
        return await asyncio.gather(*(first_event(trigger(flow_id, r)) for r in run_ids))

    events = asyncio.run(main())
    assert [e["status"] for e in events] == ["error", "error"]
    assert all("503" in e["message"] or "Server" in e["message"] for e in events), events
    assert [e["permanent"] for e in events] == [False, False]  # transient: the task's retries decide
    assert run_reads(aep, flow_id, run_ids) == 2  # one read (2 attempts) for both waits, not one each


def test_a_run_the_list_does_not_show_is_asked_by_id_and_its_failure_is_that_waits_alone(aep, monkeypatch):
    flow_id, run_ids = runs_of_one_flow(aep, monkeypatch, 1)
    unlisted = "0123456789abcdef0123456789abcdef"
    aep.add_fault({"kind": "503", "rate": 1.0, "methods": ["GET"], "path_regex": f"/runs/{unlisted}$"})

    async def main() -> list[dict]:
        return await asyncio.gather(
            first_event(trigger(flow_id, unlisted)), first_event(trigger(flow_id, run_ids[0]))
        )

    lone, sibling = asyncio.run(main())
    assert lone["status"] == "error" and unlisted in lone["message"]
    assert sibling["status"] == "success" and sibling["summary"]["run_id"] == run_ids[0]
