"""Trigger that waits in the triggerer for a dataflow run to end; it only polls (GET)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.runs import summarize_run


class AEPDataflowRunTrigger(BaseTrigger):
    """Polls the flow's latest run every `poll_interval` seconds until it ends or `end_time` passes.

    Each poll runs the blocking HTTP call in a worker thread, so the triggerer's event loop is
    never blocked. Emits one event: `{"status": "success"|"failed"|"timeout"|"error", ...}`.
    """

    def __init__(
        self,
        *,
        flow_id: str,
        aep_conn_id: str,
        poll_interval: float,
        end_time: float,
        fail_on_partial_success: bool = False,
    ) -> None:
        super().__init__()
        self.flow_id = flow_id
        self.aep_conn_id = aep_conn_id
        self.poll_interval = poll_interval
        self.end_time = end_time
        self.fail_on_partial_success = fail_on_partial_success

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "flow_id": self.flow_id,
                "aep_conn_id": self.aep_conn_id,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
                "fail_on_partial_success": self.fail_on_partial_success,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            client = await AdobeExperiencePlatformHook(self.aep_conn_id).aget_client()
            while True:
                run = await asyncio.to_thread(client.flows.latest_run, self.flow_id)
                summary = summarize_run(run, fail_on_partial_success=self.fail_on_partial_success)
                if summary["terminal"]:
                    status = "success" if summary["succeeded"] else "failed"
                    yield TriggerEvent({"status": status, "flow_id": self.flow_id, "summary": dict(summary)})
                    return
                if time.time() >= self.end_time:
                    yield TriggerEvent(
                        {"status": "timeout", "flow_id": self.flow_id, "summary": dict(summary)}
                    )
                    return
                self.log.info("Dataflow %s: run %s is %s", self.flow_id, summary["run_id"], summary["status"])
                await asyncio.sleep(self.poll_interval)
        except Exception as exc:
            yield TriggerEvent({"status": "error", "flow_id": self.flow_id, "message": str(exc)})
