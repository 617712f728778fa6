"""Triggerer capacity: K waiting-run pollers in one event loop against an emulator (its own process)
that adds a fixed latency to every answer.

- `async`: the trigger class as shipped (`AEPDataflowRunTrigger.run`), which polls with
  `hook.afind_run`: the async sender (client/async_http.py), on the loop itself.
- `thread`: for comparison, the design it replaced: the same loop shape (poll, summarize, sleep)
  polling with the blocking client in `asyncio.to_thread` (the loop's default executor: min(32,
  CPUs + 4) threads).

Triggers start spread evenly over one poll interval (as tasks defer at different moments), then run
for `--observe` seconds more. Measured: extra memory per trigger (RSS), event-loop lag (a 50 ms
ticker's overshoot), polls completed per second against polls due, and each poll's lateness: when
its answer arrived against when it was due (the previous answer + the poll interval; the first poll
is due when the trigger starts).

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


async def measure(mode: str, triggers: int, interval: float, observe: float) -> dict[str, Any]:
    from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
    from airflow_provider_stripe_aep.resources.run_status import RunSelector, summarize_run
    from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger

    answers: dict[str, list[float]] = {}
    started: dict[str, float] = {}

    if mode == "async":
        original = AdobeExperiencePlatformHook.afind_run

        async def afind_run(self: Any, flow_id: str, selector: Any) -> Any:
            run = await original(self, flow_id, selector)
            answers.setdefault(flow_id, []).append(time.monotonic())
            return run

        AdobeExperiencePlatformHook.afind_run = afind_run  # type: ignore[method-assign]

        async def waiter(flow_id: str) -> None:
            trigger = AEPDataflowRunTrigger(
                flow_id=flow_id,
                aep_conn_id="aep_default",
                poll_interval=interval,
                end_time=time.time() + 3600,
            )
            async for event in trigger.run():
                raise RuntimeError(f"trigger {flow_id} ended: {event.payload}")

    else:

        async def waiter(flow_id: str) -> None:
            hook = AdobeExperiencePlatformHook("aep_default")
            while True:
                run = await asyncio.to_thread(hook.find_run, flow_id, RunSelector())
                answers.setdefault(flow_id, []).append(time.monotonic())
                if summarize_run(run)["terminal"]:
                    raise RuntimeError(f"run of {flow_id} ended")
                await asyncio.sleep(interval)

    lags: list[float] = []

    async def ticker() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(TICK)
            lags.append(time.monotonic() - before - TICK)

    loop = asyncio.get_running_loop()
    rss_before = rss_bytes()
    tick_task = asyncio.create_task(ticker())
    tasks: list[asyncio.Task[None]] = []
    t0 = time.monotonic()
    for i in range(triggers):
        delay = t0 + i * interval / triggers - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        flow_id = str(uuid.uuid4())
        started[flow_id] = time.monotonic()
        tasks.append(asyncio.create_task(waiter(flow_id)))
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

    lateness: list[float] = []
    worst: list[float] = []
    for flow_id, start in started.items():
        times = answers.get(flow_id, [])
        due = [start] + [t + interval for t in times[:-1]]
        own = [answer - when for answer, when in zip(times, due, strict=True)]
        # A trigger still waiting for an answer at the end is late by how long it has waited.
        pending_due = times[-1] + interval if times else start
        if window_end > pending_due:
            own.append(window_end - pending_due)
        lateness += own
        worst.append(max(own) if own else 0.0)
    in_window = sum(1 for ts in answers.values() for t in ts if window_start <= t < window_end)
    window_lags = lags[lag_mark:]
    executor_threads = len(getattr(loop, "_default_executor", None)._threads) if mode == "thread" else 0  # type: ignore[union-attr]
    return {
        "mode": mode,
        "triggers": triggers,
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
        "lateness": lateness,
        "worst_per_trigger": worst,
        "executor_threads": executor_threads,
        "cpu_count": os.cpu_count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("thread", "async"), required=True)
    parser.add_argument("--triggers", type=int, required=True)
    parser.add_argument("--interval", type=float, default=30.0)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--observe", type=float, default=30.0)
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="stripe-aep-bench-trig-"))
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
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
        result = asyncio.run(measure(args.mode, args.triggers, args.interval, args.observe))
    finally:
        proc.terminate()
        proc.wait(10)
    result["latency"] = args.latency
    print(json.dumps(result))


if __name__ == "__main__":
    main()
