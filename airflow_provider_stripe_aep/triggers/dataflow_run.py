"""Trigger that waits in the triggerer for a dataflow run to end (it only reads), and the contract of
the event it sends back to the task: declared here once, checked on resume."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any, Literal, TypedDict, cast

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_stripe_aep.resources.run_status import (
    RunSelector,
    RunSummary,
    SuccessPolicy,
    summarize_run,
)
from airflow_provider_stripe_aep.triggers.shared_poll import shared_run_poll
from airflow_provider_stripe_aep.utils.failures import is_permanent

RunEventStatus = Literal["success", "failed", "timeout", "error"]
RUN_EVENT_STATUSES: tuple[RunEventStatus, ...] = ("success", "failed", "timeout", "error")


class RunEvent(TypedDict):
    """What `AEPDataflowRunTrigger` yields: `summary` is the last run seen (None before any run, or
    after an error); `message` explains `timeout` and `error`; `permanent` says whether the error is
    one a retry cannot cure."""

    status: RunEventStatus
    flow_id: str
    summary: RunSummary | None
    message: str
    permanent: bool


def validate_run_event(event: Any) -> RunEvent:
    """The event the task resumed with, checked against the contract above."""
    if not isinstance(event, dict) or event.get("status") not in RUN_EVENT_STATUSES:
        raise ValueError(f"unexpected trigger event {event!r}")
    missing = [key for key in RunEvent.__annotations__ if key not in event]
    if missing:
        raise ValueError(f"trigger event {event!r} lacks {', '.join(missing)}")
    if event["status"] in ("success", "failed") and not isinstance(event["summary"], dict):
        raise ValueError(f"trigger event {event!r} has no run summary")
    return cast(RunEvent, event)


class AEPDataflowRunTrigger(BaseTrigger):
    """Waits for the selected run of a flow to end, or `end_time` (epoch seconds) to pass, reading
    the flow's runs every `poll_interval` seconds. Every wait on the same flow (same connection) in
    this triggerer shares one poll at the shortest interval asked (`shared_poll`); each applies its
    own run selection, success policy and timeout to the shared answer. The polls are asynchronous
    (`hook.afind_runs`, httpx), so they never block the triggerer's event loop and need no worker
    thread. Emits one `RunEvent`.
    """

    def __init__(
        self,
        *,
        flow_id: str,
        aep_conn_id: str,
        poll_interval: float,
        end_time: float,
        run_id: str | None = None,
        started_after_ms: int | None = None,
        fallback_to_latest: bool = False,
        allow_partial_success: bool = True,
        max_failed_ratio: float | None = None,
    ) -> None:
        super().__init__()
        self.flow_id = flow_id
        self.aep_conn_id = aep_conn_id
        self.poll_interval = poll_interval
        self.end_time = end_time
        self.selector = RunSelector(run_id, started_after_ms, fallback_to_latest)
        self.policy = SuccessPolicy(allow_partial_success, max_failed_ratio)

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "flow_id": self.flow_id,
                "aep_conn_id": self.aep_conn_id,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
                **self.selector._asdict(),
                **self.policy._asdict(),
            },
        )

    def _event(
        self, status: RunEventStatus, summary: RunSummary | None, message: str = "", permanent: bool = False
    ) -> TriggerEvent:
        event = RunEvent(
            status=status, flow_id=self.flow_id, summary=summary, message=message, permanent=permanent
        )
        return TriggerEvent(dict(event))

    async def run(self) -> AsyncIterator[TriggerEvent]:
        yield await self._wait()

    async def _wait(self) -> TriggerEvent:
        """Wait on the flow's shared poll (one per flow in this triggerer, see `shared_poll`) until
        the selected run ends, the timeout passes or the poll fails."""
        summary: RunSummary | None = None
        poll = shared_run_poll(self.aep_conn_id, self.flow_id)
        try:
            async with poll.subscribe(self.selector, self.poll_interval) as wait:
                while True:
                    summary = summarize_run(await wait.next(), self.policy)
                    if summary["terminal"]:
                        return self._event("success" if summary["succeeded"] else "failed", summary)
                    if time.time() >= self.end_time:
                        message = f"{self.selector.describe()} did not end before the timeout"
                        return self._event("timeout", summary, message)
                    self.log.info(
                        "Dataflow %s: %s is %s", self.flow_id, self.selector.describe(), summary["status"]
                    )
        except Exception as exc:
            return self._event("error", summary, f"{type(exc).__name__}: {exc}", is_permanent(exc))
