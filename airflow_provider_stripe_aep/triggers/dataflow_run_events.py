"""AEP's dataflow runs as Asset events (Airflow 3 only): an event trigger for an `AssetWatcher` that
fires one event per run of one dataflow that reaches a final state, whoever started the run (AEP's own
schedule, an on-demand `POST /runs`, the UI). See docs/asset-events.md.

Every watcher of the same connection with the same poll interval and look-back shares one poll of the
sandbox's runs in the triggerer (`shared_stream_key`, Airflow 3.3+): one `GET /runs` (plus pages) per
interval however many flows are watched; each watcher picks its own flow's runs from it. On an Airflow 3
without shared streams, each watcher runs the same poll on its own (`run`).

Each run is announced once while the triggerer runs (the watcher remembers what it announced). What it
announced is also kept in the Asset's state store, so a restarted triggerer announces the runs that
ended while it was down and none twice (docs/asset-events.md says where that can fail).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Hashable, Sequence
from typing import Any

from airflow_provider_stripe_aep.version_compat import AIRFLOW_V_3_0_PLUS, AIRFLOW_VERSION, NeedsAirflow3Error

if not AIRFLOW_V_3_0_PLUS:
    raise NeedsAirflow3Error(
        "airflow_provider_stripe_aep.triggers.dataflow_run_events needs Airflow 3 (AssetWatcher and "
        f"BaseEventTrigger); this is Airflow {AIRFLOW_VERSION}. On Airflow 2, schedule downstream DAGs "
        "on the ingest DAG's dataset Asset instead."
    )

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.resources.run_status import (
    RunSummary,
    run_event_extra,
    run_window_ms,
    summarize_run,
)
from airflow_provider_stripe_aep.resources.run_watch import (
    DEFAULT_STATUSES,
    Watermark,
    advance,
    check_statuses,
    newly_final,
    parse_watermark,
    raise_floor,
    start_watermark,
)
from airflow_provider_stripe_aep.utils.failures import is_permanent

STATE_KEY = "aep_dataflow_runs_watermark"
"""The key of the watermark in the watched Asset's state store."""


def _now_ms() -> int:
    return int(time.time() * 1000)


class AEPDataflowRunEventTrigger(BaseEventTrigger):
    """Fires one `TriggerEvent` per run of the dataflow `flow_name` (or `flow_id`) that ends with a
    status in `statuses`; the event's payload is `run_event_extra` (run and flow ID, status, record
    counts, window, times).

    :param flow_name: the dataflow's name (known when the DAG is written, unlike its ID); resolved
        once the flow exists. Give `flow_name` or `flow_id`.
    :param flow_id: the dataflow's ID.
    :param aep_conn_id: the AEP connection (its sandbox is the one watched).
    :param statuses: which final statuses fire events: any of success, partialSuccess, failed.
    :param poll_interval: seconds between polls of the sandbox's runs.
    :param lookback_seconds: how far back each poll lists runs (by start); a run is announced if it
        started within this window of some poll. Longer than your longest run and than a triggerer
        outage you want covered.
    """

    def __init__(
        self,
        *,
        flow_name: str | None = None,
        flow_id: str | None = None,
        aep_conn_id: str = AdobeExperiencePlatformHook.default_conn_name,
        statuses: Sequence[str] = DEFAULT_STATUSES,
        poll_interval: float = 60.0,
        lookback_seconds: float = 3600.0,
    ) -> None:
        super().__init__()
        if not flow_name and not flow_id:
            raise ValueError("AEPDataflowRunEventTrigger needs flow_name or flow_id")
        if float(poll_interval) <= 0:
            raise ValueError(f"poll_interval must be > 0, got {poll_interval!r}")
        if float(lookback_seconds) < float(poll_interval):
            raise ValueError(f"lookback_seconds must be >= poll_interval, got {lookback_seconds!r}")
        self.flow_name = flow_name
        self.flow_id = flow_id
        self.aep_conn_id = aep_conn_id
        self.statuses = list(check_statuses(list(statuses)))
        self.poll_interval = float(poll_interval)
        self.lookback_seconds = float(lookback_seconds)
        self._mark: Watermark | None = None

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "flow_name": self.flow_name,
                "flow_id": self.flow_id,
                "aep_conn_id": self.aep_conn_id,
                "statuses": list(self.statuses),
                "poll_interval": self.poll_interval,
                "lookback_seconds": self.lookback_seconds,
            },
        )

    # -- the shared poll: one per connection, interval and look-back ------------------------------
    def shared_stream_key(self) -> Hashable | None:
        return ("aep-dataflow-runs", self.aep_conn_id, self.poll_interval, self.lookback_seconds)

    @classmethod
    async def open_shared_stream(cls, kwargs: dict[str, Any]) -> AsyncIterator[Any]:
        """Poll the sandbox's recent runs (every flow); yield `{"polled_at_ms", "since_ms", "runs"}`
        with each run summarized (and its window). A run still going keeps the window open back to its
        start, so a run longer than the look-back is still seen ending. Transient errors skip a poll
        (logged); permanent ones (auth, bad connection) end the stream, and every watcher fails with them.
        """
        hook = AdobeExperiencePlatformHook(kwargs["aep_conn_id"])
        interval = float(kwargs["poll_interval"])
        lookback_ms = int(float(kwargs["lookback_seconds"]) * 1000)
        oldest_running: int | None = None
        while True:
            polled_at = _now_ms()
            since = polled_at - lookback_ms
            if oldest_running is not None:
                since = min(since, oldest_running - 1)
            try:
                runs = await hook.aruns_started_after(since)
            except Exception as exc:
                if is_permanent(exc):
                    raise
                hook.log.warning("Polling AEP runs failed (%s: %s); trying again", type(exc).__name__, exc)
            else:
                items = [(summarize_run(run), run_window_ms(run)) for run in runs]
                running = [s["started_at_ms"] for s, _ in items if not s["terminal"] and s["started_at_ms"]]
                oldest_running = min(running) if running else None
                yield {"polled_at_ms": polled_at, "since_ms": since, "runs": items}
            await asyncio.sleep(interval)

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        """This watcher's flow's newly final runs, one event each, oldest end first."""
        hook = AdobeExperiencePlatformHook(self.aep_conn_id)
        flow_id = self.flow_id
        mark = await self._load_watermark()
        missing_logged = False
        async for snapshot in shared_stream:
            if flow_id is None:
                flow_id = await hook.afind_dataflow_id(str(self.flow_name))
                if flow_id is None:
                    if not missing_logged:
                        self.log.info("No dataflow named %r yet; looking again at each poll", self.flow_name)
                        missing_logged = True
                    continue
                self.log.info("Watching the runs of dataflow %r (%s)", self.flow_name, flow_id)
            summaries: list[RunSummary] = [summary for summary, _ in snapshot["runs"]]
            windows = {summary["run_id"]: window for summary, window in snapshot["runs"]}
            for summary in newly_final(summaries, flow_id, self.statuses, mark):
                self.log.info("Dataflow %s: run %s ended %s", flow_id, summary["run_id"], summary["status"])
                mark = advance(mark, summary)
                self._mark = mark
                yield TriggerEvent(run_event_extra(summary, windows.get(summary["run_id"])))
                await self._save_watermark(mark)
            mark = raise_floor(mark, int(snapshot["since_ms"]))
            self._mark = mark

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Without the triggerer's shared streams (or in a test): the same poll, for this watcher alone."""
        stream = type(self).open_shared_stream(self.serialize()[1])
        async for event in self.filter_shared_stream(stream):
            yield event

    # -- what was announced, kept in the Asset's state store --------------------------------------
    def _state_store(self) -> Any:
        """The watched Asset's state store, injected by the triggerer (Airflow 3.3+; None before)."""
        return getattr(self, "asset_state_store", None)

    async def _load_watermark(self) -> Watermark:
        if self._mark is not None:
            return self._mark
        stored: Any = None
        store = self._state_store()
        if store is not None:
            try:
                stored = await store.aget(STATE_KEY)
            except Exception as exc:  # the store is an aid across restarts, not a condition to watch
                self.log.warning("Could not read the watcher's state (%s); starting from now", exc)
        mark = parse_watermark(stored)
        if mark is None:
            mark = start_watermark(_now_ms())
            self.log.info("No runs announced before: announcing the runs that end from now on")
        else:
            self.log.info("Resuming after %d announced run(s)", len(mark["announced"]))
        self._mark = mark
        return mark

    async def _save_watermark(self, mark: Watermark) -> None:
        store = self._state_store()
        if store is None:
            return
        try:
            value: Any = {"floor_ms": mark["floor_ms"], "announced": dict(mark["announced"])}
            await store.aset(STATE_KEY, value)
        except Exception as exc:
            self.log.warning("Could not store the watcher's state (%s)", exc)
