"""Sensor that waits for a dataflow's latest run to end, in a worker or (deferrable) in the triggerer."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import Any

from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    BaseSensorOperator,
    PokeReturnValue,
    conf,
)

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.runs import RunSummary, describe, summarize_run
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger
from airflow_provider_stripe_aep.validation import InvalidInputError, validate_bool, validate_id

TRIGGER_EVENT_STATUSES = ("success", "failed", "timeout", "error")


def _to_seconds(value: Any, field: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(field, value, "must be a number of seconds greater than 0") from None
    if seconds <= 0:
        raise InvalidInputError(field, value, "must be a number of seconds greater than 0")
    return seconds


class AEPDataflowRunSensor(BaseSensorOperator):
    """Wait until the dataflow's latest run reaches a terminal status.

    Succeeds on `success` (and on `partialSuccess` unless `fail_on_partial_success`), fails with AEP's
    error codes and messages otherwise, and logs the run's record counts. Returns (XCom) the run
    summary: run ID, status, record counts, errors.

    :param flow_id: the dataflow ID.
    :param poll_interval: seconds between polls (templatable).
    :param deferrable: wait in the triggerer instead of a worker slot (templatable).
    """

    template_fields: Sequence[str] = ("flow_id", "aep_conn_id", "poll_interval", "deferrable")
    ui_color = "#fa0f00"

    def __init__(
        self,
        *,
        flow_id: str,
        aep_conn_id: str = AdobeExperiencePlatformHook.default_conn_name,
        poll_interval: float | str = 30,
        deferrable: bool | str = conf.getboolean("operators", "default_deferrable", fallback=False),
        fail_on_partial_success: bool = False,
        timeout: float | timedelta = 2 * 60 * 60,
        **kwargs: Any,
    ) -> None:
        super().__init__(timeout=timeout, **kwargs)
        self.flow_id = flow_id
        self.aep_conn_id = aep_conn_id
        self.poll_interval = poll_interval
        self.deferrable = deferrable
        self.fail_on_partial_success = fail_on_partial_success

    @cached_property
    def hook(self) -> AdobeExperiencePlatformHook:
        return AdobeExperiencePlatformHook(self.aep_conn_id)

    def _check(self) -> RunSummary:
        summary = summarize_run(
            self.hook.latest_run(self.flow_id), fail_on_partial_success=self.fail_on_partial_success
        )
        if summary["run_id"] is None:
            self.log.info("Dataflow %s has no run yet", self.flow_id)
        else:
            self.log.info("Dataflow %s: %s", self.flow_id, describe(summary))
        return summary

    def _finish(self, summary: RunSummary) -> dict[str, Any]:
        if not summary["succeeded"]:
            # The run is over: retrying the sensor would only see the same failure.
            raise AirflowFailException(f"Dataflow {self.flow_id}: {describe(summary)}")
        if summary["status"].lower() != "success":
            self.log.warning("Dataflow %s ended %s: %s", self.flow_id, summary["status"], describe(summary))
        return dict(summary)

    def execute(self, context: Any) -> Any:
        self.flow_id = validate_id(self.flow_id, "flow_id")
        self.poke_interval = _to_seconds(self.poll_interval, "poll_interval")
        if not validate_bool(self.deferrable, "deferrable"):
            return super().execute(context)
        summary = self._check()
        if summary["terminal"]:
            return self._finish(summary)
        timeout = self.timeout.total_seconds() if isinstance(self.timeout, timedelta) else float(self.timeout)
        self.defer(
            trigger=AEPDataflowRunTrigger(
                flow_id=self.flow_id,
                aep_conn_id=self.aep_conn_id,
                poll_interval=self.poke_interval,
                end_time=time.time() + timeout,
                fail_on_partial_success=self.fail_on_partial_success,
            ),
            method_name="execute_complete",
        )

    def poke(self, context: Any) -> bool | PokeReturnValue:
        summary = self._check()
        if not summary["terminal"]:
            return False
        return PokeReturnValue(is_done=True, xcom_value=self._finish(summary))

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
        if not isinstance(event, dict) or event.get("status") not in TRIGGER_EVENT_STATUSES:
            raise AirflowException(f"Dataflow {self.flow_id}: unexpected trigger event {event!r}")
        if event["status"] == "error":
            raise AirflowException(f"Dataflow {self.flow_id}: polling failed: {event.get('message')}")
        summary: RunSummary = event["summary"]
        if event["status"] == "timeout":
            raise AirflowException(
                f"Dataflow {self.flow_id}: no run ended before the timeout; last seen {describe(summary)}"
            )
        self.log.info("Dataflow %s: %s", self.flow_id, describe(summary))
        return self._finish(summary)
