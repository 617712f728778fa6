"""The async run lookups (trigger side) read every page of a flow's runs that they need (§2.10), over
real HTTP against an emulator that pages its lists two items at a time."""

from __future__ import annotations

import asyncio
import time

import pytest
from aep_testing import onboard

from airflow_provider_stripe_aep.emulator import EmulatorConfig
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources.run_status import RunSelector, run_started_ms


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(run_seconds=60.0, run_interval_seconds=600.0, page_size=2)


def five_runs() -> tuple[str, list[dict]]:
    """A flow with five runs (newest first), so the oldest ones are on the second and third pages."""
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    deadline = time.monotonic() + 10
    while hook.latest_run(flow_id) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    for day in range(4):
        time.sleep(0.02)  # distinct start times
        hook.trigger_run(
            flow_id, window_start=1_700_000_000 + day * 86400, window_end=1_700_086_400 + day * 86400
        )
    runs = list(hook.client.flows.iter_runs(flow_id))
    assert len(runs) == 5
    return flow_id, runs


def test_the_run_asked_for_on_a_later_page_is_found(connections):
    flow_id, runs = five_runs()
    oldest = runs[-1]
    since_oldest = RunSelector(started_after_ms=run_started_ms(oldest))

    async def lookup() -> dict | None:
        return await AdobeExperiencePlatformHook().afind_run(flow_id, since_oldest)

    found = asyncio.run(lookup())
    # The first page holds only the two newest runs: reading just that page picks the wrong run.
    assert found is not None and found["id"] == oldest["id"]


def test_one_list_read_answers_every_selection_and_stops_when_all_are_settled(connections):
    aep = connections
    flow_id, runs = five_runs()
    selectors = [
        RunSelector(),
        RunSelector(run_id=runs[1]["id"]),
        RunSelector(run_id=runs[2]["id"]),
        RunSelector(started_after_ms=run_started_ms(runs[3])),
    ]
    aep.state.request_log.clear()

    async def lookup() -> dict:
        return await AdobeExperiencePlatformHook().afind_runs(flow_id, selectors)

    answers = asyncio.run(lookup())
    assert [answers[s]["id"] for s in selectors] == [r["id"] for r in runs[:4]]
    lists = [e for e in aep.state.request_log if e["method"] == "GET" and e["path"].endswith("/runs")]
    # runs[4] (on page 3) settles the started_after selection: three pages, one read, no run by ID.
    assert len(lists) == 3
    assert not [e for e in aep.state.request_log if "/runs/" in e["path"]]
