"""Triggerer capacity: K waiting-run pollers in one event loop against an emulator (its own process)
that adds a fixed latency to every answer.

- `async`: the trigger class as shipped (`AEPDataflowRunTrigger.run`): every wait on a flow shares
  that flow's poll (triggers/shared_poll.py), which reads with the async sender (client/async_http.py)
  on the loop itself.
- `per-wait`: for comparison, the design before the shared poll: each wait polls on its own with the
  async sender (`hook.afind_run`, poll, summarize, sleep).
- `thread`: for comparison, the design before that: the same loop shape polling with the blocking
  client in `asyncio.to_thread` (the loop's default executor: min(32, CPUs + 4) threads).

`--flows F` spreads the waits over F flows (wait i on flow i mod F); by default each has its own.
The flows are unknown to the emulator, so every list of runs is one (empty) page.

Triggers start spread evenly over one poll interval (as tasks defer at different moments), then run
for `--observe` seconds more. Measured: extra memory per trigger (RSS), event-loop lag (a 50 ms
ticker's overshoot), answers per second against answers due, `GET /runs` sent per interval (every
attempt, counted at the sender), and each answer's lateness: when it arrived against when it was due
(the previous answer + the poll interval; the first is due one interval after the wait starts, as the
sensor looks itself just before it defers).

Run as a child process: `python -m benchmarks.triggerer --mode async --triggers 1000`; prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

TICK = 0.05


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def start_emulator(latency: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "airflow_provider_stripe_aep.emulator",
            "--port",
            "0",
            "--run-seconds",
            "100000",
            "--fault",
            f"slow:rate=1:delay={latency}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"listening on (\S+)", line)
    if not match:
        proc.terminate()
        raise RuntimeError(f"emulator did not start: {line!r}")
    return proc, match.group(1)


async def measure(
    mode: str, triggers: int, interval: float, observe: float, flows: int = 0
) -> dict[str, Any]:
    """`flows` > 0 spreads the waits over that many flows (wait i on flow i mod flows); 0 gives each
    wait a flow of its own."""
    from airflow_provider_stripe_aep.client.async_http import AsyncAEPHttpClient
    from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
    from airflow_provider_stripe_aep.resources.run_status import RunSelector, summarize_run
    from airflow_provider_stripe_aep.triggers import dataflow_run
    from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger

    answers: dict[int, list[float]] = {}
    started: dict[int, float] = {}
    owner: dict[asyncio.Task[Any], int] = {}
    gets: list[float] = []

    # Every `GET /runs` sent (each attempt), timed: the load the waits put on AEP.
    original_attempt = AsyncAEPHttpClient._attempt

    async def counted_attempt(self: Any, client: Any, call: Any) -> Any:
        if call.method == "GET" and "/flowservice/runs" in call.path:
            gets.append(time.monotonic())
        return await original_attempt(self, client, call)

    AsyncAEPHttpClient._attempt = counted_attempt  # type: ignore[method-assign]

    def heard() -> None:
        wait = owner.get(asyncio.current_task())  # type: ignore[arg-type]
        if wait is not None:
            answers.setdefault(wait, []).append(time.monotonic())

    if mode == "async":
        # The trigger as shipped: every wait on a flow shares that flow's poll (triggers/shared_poll.py).
        original_summarize = dataflow_run.summarize_run

        def summarize(run: Any, policy: Any = None, **kwargs: Any) -> Any:
            heard()
            return original_summarize(run, policy, **kwargs)

        dataflow_run.summarize_run = summarize  # type: ignore[assignment]

        async def waiter(flow_id: str) -> None:
            trigger = AEPDataflowRunTrigger(
                flow_id=flow_id,
                aep_conn_id="aep_default",
                poll_interval=interval,
                end_time=time.time() + 3600,
            )
            async for event in trigger.run():
                raise RuntimeError(f"trigger on {flow_id} ended: {event.payload}")

    elif mode == "per-wait":
        # The design before the shared poll: each wait polls on its own with the async sender.
        async def waiter(flow_id: str) -> None:
            hook = AdobeExperiencePlatformHook("aep_default")
            while True:
                run = await hook.afind_run(flow_id, RunSelector())
                heard()
                if summarize_run(run)["terminal"]:
                    raise RuntimeError(f"run of {flow_id} ended")
                await asyncio.sleep(interval)

    else:

        async def waiter(flow_id: str) -> None:
            hook = AdobeExperiencePlatformHook("aep_default")
            while True:
                run = await asyncio.to_thread(hook.find_run, flow_id, RunSelector())
                heard()
                if summarize_run(run)["terminal"]:
                    raise RuntimeError(f"run of {flow_id} ended")
                await asyncio.sleep(interval)

    lags: list[float] = []

    async def ticker() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(TICK)
            lags.append(time.monotonic() - before - TICK)

    flow_ids = [str(uuid.uuid4()) for _ in range(flows or triggers)]
    loop = asyncio.get_running_loop()
    rss_before = rss_bytes()
    tick_task = asyncio.create_task(ticker())
    tasks: list[asyncio.Task[None]] = []
    t0 = time.monotonic()
    for i in range(triggers):
        delay = t0 + i * interval / triggers - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        started[i] = time.monotonic()
        task = asyncio.create_task(waiter(flow_ids[i % len(flow_ids)]))
        owner[task] = i
        tasks.append(task)
    window_start = time.monotonic()
    lag_mark = len(lags)
    await asyncio.sleep(observe)
    window_end = time.monotonic()
    rss_after = rss_bytes()
    failed = [t for t in tasks if t.done()]
    errors = sorted({repr(t.exception()) for t in failed if t.exception()})[:3]
    for t in [*tasks, tick_task]:
        t.cancel()
    await asyncio.gather(*tasks, tick_task, return_exceptions=True)

    # A wait's next answer is due one interval after its last one; its first one interval after it
    # started (the sensor looked itself just before deferring). How late each answer arrived:
    lateness: list[float] = []
    worst: list[float] = []
    for wait, start in started.items():
        times = answers.get(wait, [])
        due = ([start + interval] + [t + interval for t in times[:-1]])[: len(times)]
        own = [max(0.0, answer - when) for answer, when in zip(times, due, strict=True)]
        # A wait still waiting for an answer at the end is late by how long it has waited.
        pending_due = times[-1] + interval if times else start + interval
        if window_end > pending_due:
            own.append(window_end - pending_due)
        lateness += own
        worst.append(max(own) if own else 0.0)
    in_window = sum(1 for ts in answers.values() for t in ts if window_start <= t < window_end)
    gets_in_window = sum(1 for t in gets if window_start <= t < window_end)
    window_lags = lags[lag_mark:]
    executor_threads = len(getattr(loop, "_default_executor", None)._threads) if mode == "thread" else 0  # type: ignore[union-attr]
    return {
        "mode": mode,
        "triggers": triggers,
        "flows": len(flow_ids),
        "interval": interval,
        "observe": observe,
        "failed": len(failed),
        "errors": errors,
        "rss_per_trigger": (rss_after - rss_before) / triggers,
        "lags_all": lags,
        "lags_window": window_lags,
        "polls_in_window": in_window,
        "polls_per_second": in_window / (window_end - window_start),
        "due_per_second": triggers / interval,
        "gets_per_interval": gets_in_window * interval / (window_end - window_start),
        "lateness": lateness,
        "worst_per_trigger": worst,
        "executor_threads": executor_threads,
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("thread", "async", "per-wait"), required=True)
    parser.add_argument("--triggers", type=int, required=True)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--observe", type=float, default=30.0)
    parser.add_argument("--flows", type=int, default=0, help="flows the waits share (0: one flow each)")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="stripe-aep-bench-trig-"))
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        }
    )
    proc, url = start_emulator(args.latency)
    try:
        os.environ["AIRFLOW_CONN_AEP_DEFAULT"] = json.dumps(
            {
                "conn_type": "adobe_experience_platform",
                "host": url,
                "login": "bench-client-id",
                "password": "bench-client-secret-3f9a",
                "extra": {
                    "org_id": "BENCH@AdobeOrg",
                    "sandbox": "prod",
                    "ims_token_url": f"{url}/ims/token/v3",
                },
            }
        )
        import logging

        logging.getLogger("airflow").setLevel(logging.WARNING)
        logging.getLogger("airflow_provider_stripe_aep").setLevel(logging.WARNING)
        result = asyncio.run(measure(args.mode, args.triggers, args.interval, args.observe, args.flows))
    finally:
        proc.terminate()
        proc.wait(10)
    result["latency"] = args.latency
    print(json.dumps(result))


if __name__ == "__main__":
    main()
