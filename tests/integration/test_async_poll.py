"""The hook's async run lookup (for the trigger) reads the same run as the sync one, over real HTTP."""

from __future__ import annotations

import asyncio
import json
import time

from aep_testing import aep_connection, onboard

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources.run_status import RunSelector


def test_afind_run_reads_the_run_the_sync_lookup_reads(aep, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    deadline = time.monotonic() + 10
    while hook.latest_run(flow_id) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    expected = hook.latest_run(flow_id)
    assert expected is not None

    async def poll() -> tuple[dict | None, dict | None, dict | None]:
        async_hook = AdobeExperiencePlatformHook()
        return (
            await async_hook.afind_run(flow_id, RunSelector()),
            await async_hook.afind_run("no-such-flow", RunSelector()),
            await async_hook.afind_run(flow_id, RunSelector(run_id=expected["id"])),
        )

    run, none, by_id = asyncio.run(poll())
    assert run is not None and run["id"] == expected["id"]
    assert none is None
    assert by_id is not None and by_id["id"] == expected["id"] and by_id["flowId"] == flow_id
    polls = [e for e in aep.state.request_log if e["path"].endswith("/runs")]
    assert any("no-such-flow" in e["query"] for e in polls)
