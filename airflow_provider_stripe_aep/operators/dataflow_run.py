"""Start an on-demand run of a dataflow for one data interval, and optionally wait for that run."""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from typing import Any

from airflow.providers.common.compat.sdk import conf

from airflow_provider_stripe_aep import links
from airflow_provider_stripe_aep.links import AEPDataflowLink, AEPDataflowRunLink, push_link
from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.resources.ingest_window import ingest_window
from airflow_provider_stripe_aep.resources.run_status import (
    RunSelector,
    RunSummary,
    SuccessPolicy,
    describe,
    summarize_run,
)
from airflow_provider_stripe_aep.sensors.dataflow_run import RunWaiting, _to_seconds
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger
from airflow_provider_stripe_aep.utils.failures import fail_fast
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    to_epoch_seconds,
    validate_bool,
    validate_failed_ratio,
    validate_id,
    validate_name,
)

RUN_XCOM_KEY = "run"


def data_interval(context: Any) -> tuple[int, int] | None:
    """The DAG run's data interval in epoch seconds; None when it is absent or empty."""
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is None or end is None:
        return None
    interval = (to_epoch_seconds(start, "data_interval_start"), to_epoch_seconds(end, "data_interval_end"))
    return interval if interval[0] < interval[1] else None


def run_date(context: Any) -> int:
    """The DAG run's own date: its logical date, else (Airflow 3 runs without one) its run-after."""
    moment = context.get("logical_date")
    if moment is None:
        moment = getattr(context.get("dag_run"), "run_after", None)
    if moment is None:
        raise InvalidInputError("window_end", None, "is required when the DAG run has no date")
    return to_epoch_seconds(moment, "logical_date")


def flow_start_time(flow: dict[str, Any]) -> int | None:
    """The dataflow's `scheduleParams.startTime` (epoch seconds; AEP may show it as a string)."""
    value = (flow.get("scheduleParams") or {}).get("startTime")
    try:
        return int(str(value)) if value not in (None, "") else None
    except ValueError:
        return None


class AEPTriggerDataflowRunOperator(RunWaiting, AEPBaseOperator):
    """Start an ad-hoc run of a dataflow (`POST /runs`, reference §2.9) for a time window; returns the
    run ID. Without an explicit window, a DAG run ingests up to its data interval's end, or up to its
    own date (logical date, else run-after) when its interval is empty (trigger timetables, manual and
    Asset-triggered runs); the window starts where the flow's latest earlier window ended (read from
    AEP's runs), else at the interval's start, else at `first_window_start` or the dataflow's start
    time. So consecutive windows never overlap nor leave a gap (`resources.ingest_window`). A run
    already started for the same window is reused, not started again: re-running a DAG run starts no
    AEP run. AEP runs on demand only flows scheduled `once`: checked before the call.

    With `wait_for_completion`, waits for that run (in the worker, or in the triggerer when
    `deferrable`) and pushes its summary (status, record counts, duration) as XCom `run`; a run that
    failed or lost records is explained there under `diagnostics` and in the log (see the sensor).

    :param flow_id: the dataflow ID; or `flow_name` to find it by name (e.g. `naming.onboarding_names`).
    :param window_start: start of the window (datetime, ISO-8601 or epoch seconds); default as above.
        `window_end` likewise.
    :param first_window_start: where the first window starts when there is no earlier window nor a
        data interval (default: the dataflow's `scheduleParams.startTime`).
    :param delta_column: `params.deltaColumn.name` for table-based sources that need it.
    :param allow_partial_success, max_failed_ratio, soft_fail: as on `AEPDataflowRunSensor`.
    :param dataset_alias, dataset_name: with both, the task gets an AssetAlias (DatasetAlias on 2.x)
        outlet named `dataset_alias`, and a run that ended well announces the Asset of the AEP dataset
        `dataset_name` (templatable, so the dataset a run actually wrote to, e.g. from its params).
    :param lineage_input, dataset_id, dataset_fields: OpenLineage, as on `AEPDataflowRunSensor`.

    When the run succeeds, the event of each outlet Asset (Dataset on Airflow 2) carries the run in
    its `extra`: `resources.run_status.run_event_extra` (run ID, window, status, record counts).
    """

    template_fields: Sequence[str] = (
        "aep_conn_id",
        "flow_id",
        "flow_name",
        "window_start",
        "window_end",
        "first_window_start",
        "delta_column",
        "wait_for_completion",
        "poll_interval",
        "deferrable",
        "max_failed_ratio",
        "dataset_name",
        "lineage_input",
        "dataset_id",
        "dataset_fields",
    )
    operator_extra_links = (AEPDataflowLink(), AEPDataflowRunLink())

    def __init__(
        self,
        *,
        flow_id: str | None = None,
        flow_name: str | None = None,
        window_start: Any = None,
        window_end: Any = None,
        first_window_start: Any = None,
        delta_column: str | None = None,
        wait_for_completion: bool | str = True,
        poll_interval: float | str = 30,
        deferrable: bool | str = conf.getboolean("operators", "default_deferrable", fallback=False),
        timeout: float | datetime.timedelta = 2 * 60 * 60,
        allow_partial_success: bool = True,
        max_failed_ratio: float | str | None = None,
        soft_fail: bool = False,
        dataset_alias: str | None = None,
        dataset_name: str | None = None,
        lineage_input: dict[str, str] | None = None,
        dataset_id: str | None = None,
        dataset_fields: list[dict[str, str]] | str | None = None,
        **kwargs: Any,
    ) -> None:
        if dataset_alias:
            kwargs["outlets"] = [*(kwargs.get("outlets") or []), links.dataset_alias(dataset_alias)]
        super().__init__(**kwargs)
        self.dataset_alias = dataset_alias
        self.dataset_name = dataset_name
        self.lineage_input = lineage_input
        self.dataset_id = dataset_id
        self.dataset_fields = dataset_fields
        self.flow_id = flow_id or ""
        self.flow_name = flow_name
        self.window_start = window_start
        self.window_end = window_end
        self.first_window_start = first_window_start
        self.delta_column = delta_column
        self.wait_for_completion = wait_for_completion
        self.poll_interval = poll_interval
        self.deferrable = deferrable
        self.timeout = timeout
        self.allow_partial_success = allow_partial_success
        self.max_failed_ratio = max_failed_ratio
        self.soft_fail = soft_fail
        self.success_policy = SuccessPolicy(allow_partial_success)
        self.run_id: str | None = None
        self.ingest_window: tuple[int, int] | None = None

    def _given(self, value: Any, field: str) -> int | None:
        return None if value in (None, "") else to_epoch_seconds(value, field)

    def _window(
        self, context: Any, flow: dict[str, Any], runs: list[dict[str, Any]] | None
    ) -> tuple[int, int]:
        """The window to ingest: the explicit one, else the DAG run's (see `ingest_window`); `runs`
        are the flow's, listed when the start is not given."""
        start = self._given(self.window_start, "window_start")
        end = self._given(self.window_end, "window_end")
        if start is None or end is None:
            interval = data_interval(context)
            end = end if end is not None else (interval[1] if interval else run_date(context))
            if start is None:
                windows = self.hook.run_windows(self.flow_id, runs)
                first = self._given(self.first_window_start, "first_window_start")
                if first is None:
                    first = flow_start_time(flow)
                start, end = ingest_window(
                    end=end,
                    interval_start=interval[0] if interval else None,
                    windows=windows,
                    first_start=first,
                )
        if start >= end:
            raise InvalidInputError("window_end", end, f"must be after window_start ({start})")
        return start, end

    def _run_window_ms(self) -> tuple[int, int] | None:
        window = self.ingest_window
        return (window[0] * 1000, window[1] * 1000) if window else None

    def execute(self, context: Any) -> str:
        if bool(self.flow_id) == bool(self.flow_name):
            raise InvalidInputError("flow_id", self.flow_id, "give flow_id or flow_name, exactly one")
        for value, field in ((self.window_start, "window_start"), (self.window_end, "window_end")):
            self._given(value, field)
        self._given(self.first_window_start, "first_window_start")
        wait = validate_bool(self.wait_for_completion, "wait_for_completion")
        deferrable = validate_bool(self.deferrable, "deferrable")
        poll_interval = _to_seconds(self.poll_interval, "poll_interval")
        self.success_policy = SuccessPolicy(
            self.allow_partial_success, validate_failed_ratio(self.max_failed_ratio)
        )
        flow_name = validate_name(self.flow_name, "flow_name") if self.flow_name else None
        if not flow_name:
            self.flow_id = validate_id(self.flow_id, "flow_id")
        delta = validate_name(self.delta_column, "delta_column") if self.delta_column else None
        with fail_fast():
            if flow_name:
                self.flow_id = self.hook.find_dataflow_id(flow_name)
            flow = self.hook.get_dataflow(self.flow_id)
            runs = self.hook.flow_runs(self.flow_id) if self.window_start in (None, "") else None
            window = self._window(context, flow, runs)
            self.ingest_window = window
            self.run_id, _ = self.hook.trigger_run(
                self.flow_id,
                window_start=window[0],
                window_end=window[1],
                delta_column=delta,
                flow=flow,
                runs=runs,
            )
            push_link(context, **self.hook.ui_context(), flow_id=self.flow_id, run_id=self.run_id)
            if not wait:
                return self.run_id
            timeout = (
                self.timeout.total_seconds()
                if isinstance(self.timeout, datetime.timedelta)
                else float(self.timeout)
            )
            summary = self._poll_once()
            if not deferrable:
                deadline = time.monotonic() + timeout
                while not summary["terminal"]:
                    if time.monotonic() >= deadline:
                        raise self._give_up(
                            f"Dataflow {self.flow_id}: run {self.run_id} did not end within {timeout:g} s",
                            timeout=True,
                        )
                    time.sleep(poll_interval)
                    summary = self._poll_once()
        if summary["terminal"]:
            self._finish(summary, context)
            return self.run_id
        self.defer(
            trigger=AEPDataflowRunTrigger(
                flow_id=self.flow_id,
                aep_conn_id=self.aep_conn_id,
                poll_interval=poll_interval,
                end_time=time.time() + timeout,
                **RunSelector(run_id=self.run_id)._asdict(),
                **self.success_policy._asdict(),
            ),
            method_name="execute_complete",
            timeout=datetime.timedelta(seconds=timeout + poll_interval),
        )
        return self.run_id  # not reached: defer() raises

    def _poll_once(self) -> RunSummary:
        run = self.hook.find_run(self.flow_id, RunSelector(run_id=self.run_id))
        summary = summarize_run(run, self.success_policy)
        self.log.info("Dataflow %s: %s", self.flow_id, describe(summary))
        return summary

    def _finish(self, summary: RunSummary, context: Any) -> dict[str, Any]:
        result = super()._finish(summary, context)
        if self.dataset_alias and self.dataset_name:
            sandbox = self.hook.ui_context()["sandbox"]
            asset = links.announce_dataset(
                context, self.dataset_alias, sandbox, self.dataset_name, extra=self.run_event
            )
            self.log.info("Announced %s through alias %s", asset.uri, self.dataset_alias)
        ti = context.get("ti") if hasattr(context, "get") else None
        if ti is not None:
            ti.xcom_push(key=RUN_XCOM_KEY, value=result)
        return result

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> str:  # type: ignore[override]
        result = super().execute_complete(context, event)
        return str(result["run_id"])
