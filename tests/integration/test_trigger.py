"""The trigger polls without blocking the triggerer's event loop, even when AEP answers slowly."""

from __future__ import annotations

import asyncio
import json
import time

from aep_testing import aep_connection, onboard

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger


def test_a_slow_poll_leaves_the_event_loop_free(aep, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    flow_id = onboard(AdobeExperiencePlatformHook())
    aep.add_fault({"kind": "slow", "times": 1, "delay": 1.0, "methods": ["GET"], "path_regex": "/runs$"})
    trigger = AEPDataflowRunTrigger(
        flow_id=flow_id, aep_conn_id="aep_default", poll_interval=0.1, end_time=time.time() + 30
    )

    async def main() -> tuple[dict, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticking = asyncio.create_task(ticker())
        event = await anext(trigger.run())
        ticking.cancel()
        return event.payload, ticks

    started = time.monotonic()
    payload, ticks = asyncio.run(main())
    elapsed = time.monotonic() - started
    assert payload["status"] == "success"
    assert elapsed >= 1.0  # the slow answer was waited for
    assert ticks >= 50  # while the loop went on ticking (a blocking poll would allow ~1 tick)
