"""The AssetWatcher's trigger against the emulator over real HTTP: one event per run that AEP's own
schedule starts and ends, none twice, paging through the run list as documented."""

from __future__ import annotations

import asyncio

import pytest
from aep_testing import onboard

from airflow_provider_stripe_aep.emulator import EmulatorConfig
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.triggers.dataflow_run_events import AEPDataflowRunEventTrigger
from airflow_provider_stripe_aep.validation import validate_schedule

RUNS = 4


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Pages of 2 runs, so each poll pages; the flow runs on AEP's schedule every second, 4 times.
    return EmulatorConfig(run_seconds=0.3, run_interval_seconds=1.0, page_size=2, max_runs_per_flow=RUNS)


def test_every_scheduled_run_that_ends_is_announced_once(connections):
    aep = connections
    trigger = AEPDataflowRunEventTrigger(flow_name="flow", poll_interval=0.3, lookback_seconds=60)

    async def main() -> list[dict]:
        events: list[dict] = []

        async def watch() -> None:
            async for event in trigger.run():
                events.append(event.payload)

        watching = asyncio.create_task(watch())
        await asyncio.sleep(0.5)  # the watcher is polling before the flow exists
        schedule = validate_schedule("minute", 15)
        await asyncio.to_thread(onboard, AdobeExperiencePlatformHook(), schedule)
        for _ in range(100):
            await asyncio.sleep(0.2)
            if len(events) >= RUNS:
                break
        await asyncio.sleep(1.5)  # a few more polls: nothing may come twice
        watching.cancel()
        return events

    events = asyncio.run(main())
    runs = list(aep.state.sandbox("prod").runs.values())
    assert len(runs) == RUNS
    assert sorted(e["run_id"] for e in events) == sorted(r["id"] for r in runs)
    assert all(e["status"] == "success" and e["counts"]["inputRecordCount"] > 0 for e in events)
    assert all(e["window_start_ms"] is None for e in events)  # scheduled runs carry no window
    with aep.state.lock:
        pages = [r for r in aep.state.request_log if r["method"] == "GET" and r["path"].endswith("/runs")]
    assert any("continuationToken" in str(r["query"]) for r in pages)  # 4 runs, pages of 2


def test_watchers_of_one_connection_share_one_poll_in_airflows_shared_stream_manager(connections):
    """Airflow's own `SharedStreamManager` (what the triggerer runs) with two watchers of the same
    connection: one `GET /runs` per interval for both; each hears only its own flow's runs."""
    from airflow.triggers.shared_stream import SharedStreamManager

    aep = connections
    interval, window = 0.5, 4.0
    mine = AEPDataflowRunEventTrigger(flow_name="flow", poll_interval=interval)
    other = AEPDataflowRunEventTrigger(flow_name="a dataflow with no runs", poll_interval=interval)
    assert mine.shared_stream_key() == other.shared_stream_key()

    async def main() -> tuple[dict[str, list[str]], int]:
        manager = SharedStreamManager()
        heard: dict[str, list[str]] = {"mine": [], "other": []}

        async def listen(name: str, trigger_id: int, trigger: AEPDataflowRunEventTrigger) -> None:
            stream = manager.subscribe(
                trigger_id=trigger_id, trigger=trigger, key=trigger.shared_stream_key()
            )
            async for event in trigger.filter_shared_stream(stream):
                heard[name].append(event.payload["run_id"])

        tasks = [asyncio.create_task(listen("mine", 1, mine)), asyncio.create_task(listen("other", 2, other))]
        await asyncio.to_thread(onboard, AdobeExperiencePlatformHook(), validate_schedule("minute", 15))
        with aep.state.lock:
            start = len(aep.state.request_log)
        await asyncio.sleep(window)
        with aep.state.lock:
            polls = sum(  # first pages only: one per poll (next pages carry a continuationToken)
                1
                for r in aep.state.request_log[start:]
                if r["method"] == "GET"
                and r["path"].endswith("/runs")
                and "continuationToken" not in str(r["query"])
            )
        for task in tasks:
            task.cancel()
        await manager.stop_all()
        return heard, polls

    heard, polls = asyncio.run(main())
    runs = {r["id"] for r in aep.state.sandbox("prod").runs.values()}
    assert heard["mine"] and set(heard["mine"]) <= runs and len(heard["mine"]) == len(set(heard["mine"]))
    assert heard["other"] == []
    # One poll per interval for both watchers (two watchers polling alone would make twice as many).
    assert window / interval - 2 <= polls <= window / interval + 1
