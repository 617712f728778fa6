"""Sensor that waits for a dataflow run to end, in a worker or (deferrable) in the triggerer.

Which run: a given run ID, the first run that started after a given time, or the latest run. Without
any of them the sensor waits for the run of *this* DAG run: the first run that started after the DAG
run did; for a flow scheduled `once` that has already run (nothing newer comes on its own), that run.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import pendulum
from airflow.providers.common.compat.sdk import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
    AssetAlias,
    BaseSensorOperator,
    PokeReturnValue,
    conf,
)

from airflow_provider_stripe_aep.client.errors import AEPError
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.links import AEPDataflowLink, AEPDataflowRunLink, push_link
from airflow_provider_stripe_aep.resources.run_diagnostics import (
    RunDiagnostics,
    describe_diagnostics,
    diagnostics_table,
    needs_diagnosis,
)
from airflow_provider_stripe_aep.resources.run_status import (
    RunSelector,
    RunSummary,
    SuccessPolicy,
    describe,
    run_event_extra,
    run_result,
    summarize_run,
)
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger, validate_run_event
from airflow_provider_stripe_aep.utils.failures import fail_fast
from airflow_provider_stripe_aep.utils.openlineage import DataflowLineage
from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    to_epoch_seconds,
    validate_bool,
    validate_failed_ratio,
    validate_id,
)


def _to_seconds(value: Any, field: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InvalidInputError(field, value, "must be a number of seconds greater than 0") from None
    if seconds <= 0:
        raise InvalidInputError(field, value, "must be a number of seconds greater than 0")
    return seconds


def to_epoch_ms(value: Any, field: str = "started_after") -> int:
    """A datetime, an ISO-8601 string (a rendered `{{ dag_run.start_date }}`) or epoch seconds."""
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        return int(moment.timestamp() * 1000)
    if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
        try:
            parsed = pendulum.parse(value.strip())
        except (ValueError, TypeError):
            parsed = None
        if isinstance(parsed, datetime.datetime):
            return to_epoch_ms(parsed, field)
    return to_epoch_seconds(value, field) * 1000


class RunWaiting(DataflowLineage):
    """What the run sensor and the run operator share: judging a finished run and resuming from the
    trigger, announcing it on the task's outlets, and its OpenLineage facets (with the run's output
    statistics). Expects `flow_id`, `hook`, `soft_fail`, `log`, `success_policy` and the lineage
    arguments on the task."""

    flow_id: str
    soft_fail: bool
    success_policy: SuccessPolicy
    log: Any
    hook: AdobeExperiencePlatformHook
    finished_run: RunSummary | None = None
    """The summary of the run the task saw end (kept for the OpenLineage facets)."""
    run_event: dict[str, Any] | None = None
    """`run_event_extra` of the run that ended well: the extra of the task's Asset events."""

    def _run_window_ms(self) -> tuple[int, int] | None:
        """The data window of the run, when the task knows it better than the run reports it (the run
        operator knows the window it asked for)."""
        return None

    def _announce(self, summary: RunSummary, context: Any) -> None:
        """Put the run (`run_event_extra`) in the `extra` of the event each outlet Asset (Dataset on
        Airflow 2) gets when the task succeeds."""
        window = self._run_window_ms() or summary.get("window_ms")
        extra = run_event_extra(summary, tuple(window) if window else None)  # type: ignore[arg-type]
        self.run_event = extra  # for an Asset added through an AssetAlias: `.add(asset, extra=...)`
        outlet_events = context.get("outlet_events") if hasattr(context, "get") else None
        outlets = [o for o in getattr(self, "outlets", None) or [] if not isinstance(o, AssetAlias)]
        if outlet_events is None or not outlets:
            return
        for outlet in outlets:
            outlet_events[outlet].extra.update(extra)

    def _lineage_run(self) -> RunSummary | None:
        return self.finished_run

    def _give_up(self, message: str, *, timeout: bool = False) -> AirflowException:
        if self.soft_fail:
            return AirflowSkipException(message)
        # The run is over (or the wait is): retrying the task would only see the same outcome.
        return AirflowSensorTimeout(message) if timeout else AirflowFailException(message)

    def _finish(self, summary: RunSummary, context: Any) -> dict[str, Any]:
        self.finished_run = summary
        if summary["run_id"]:
            push_link(context, **self.hook.ui_context(), flow_id=self.flow_id, run_id=summary["run_id"])
        diagnostics = self._diagnose(summary)
        result = run_result(summary)
        if diagnostics is not None:
            result["diagnostics"] = diagnostics
        if not summary["succeeded"]:
            # The run's messages are already in describe(summary).
            why = f"; why: {describe_diagnostics(diagnostics, messages=False)}" if diagnostics else ""
            raise self._give_up(f"Dataflow {self.flow_id}: {describe(summary)}{why}")
        if summary["status"].lower() != "success":
            self.log.warning("Dataflow %s ended %s: %s", self.flow_id, summary["status"], describe(summary))
        else:
            self.log.info("Dataflow %s: %s", self.flow_id, describe(summary))
        self._announce(summary, context)
        return result

    def _diagnose(self, summary: RunSummary) -> RunDiagnostics | None:
        """Why the run lost records (reference §8b), when it failed or has failed records; logged as
        a table, returned for the XCom whatever the verdict. Reading the diagnostics never decides
        the task: an error while reading them is logged and the run is judged by its counts."""
        if not summary["run_id"] or not needs_diagnosis(summary["counts"], summary["status"]):
            return None
        try:
            diagnostics = self.hook.diagnose_run(summary["run_id"])
        except AEPError as exc:
            self.log.warning("Dataflow %s: could not read the run's diagnostics: %s", self.flow_id, exc)
            return None
        self.log.warning(
            "Dataflow %s, run %s: %s\n%s",
            self.flow_id,
            summary["run_id"],
            describe_diagnostics(diagnostics),
            diagnostics_table(diagnostics),
        )
        return diagnostics

    def execute_complete(self, context: Any, event: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            checked = validate_run_event(event)
        except ValueError as exc:
            raise AirflowException(f"Dataflow {self.flow_id}: {exc}") from None
        self.flow_id = checked["flow_id"]  # a resumed task may have found the flow by name
        if checked["status"] == "error":
            message = f"Dataflow {self.flow_id}: polling failed: {checked['message']}"
            if checked["permanent"]:
                raise self._give_up(message)
            raise AirflowException(message)
        summary = checked["summary"]
        if checked["status"] == "timeout":
            seen = describe(summary) if summary and summary["run_id"] else "no matching run yet"
            raise self._give_up(
                f"Dataflow {self.flow_id}: {checked['message']}; last seen {seen}", timeout=True
            )
        assert summary is not None  # validate_run_event checked it
        return self._finish(summary, context)


class AEPDataflowRunSensor(RunWaiting, BaseSensorOperator):
    """Wait until a dataflow run reaches a terminal status.

    Succeeds on `success`, and on `partialSuccess` when allowed; fails with AEP's error codes and
    messages and the record counts otherwise. Returns (XCom) run ID, flow ID, status, record counts,
    duration and errors.

    :param flow_id: the dataflow ID.
    :param run_id: wait for this run (e.g. the run operator's output).
    :param started_after: wait for the first run that started at or after this time (datetime,
        ISO-8601 string or epoch seconds; templatable, e.g. `{{ dag_run.start_date }}`).
    :param latest_run: wait for the flow's latest run, whenever it started.
        Give at most one of the three; with none, the sensor waits for this DAG run's run (see above).
    :param poll_interval: seconds between polls (templatable); `poke_interval`, when given, wins.
    :param deferrable: wait in the triggerer instead of a worker slot (templatable).
    :param timeout: seconds (or timedelta) to wait in all, deferred or not.
    :param allow_partial_success: whether `partialSuccess` counts as success (default true).
    :param max_failed_ratio: fail when failed/input records exceeds this (0 to 1); by default AEP's
        0.5 % ingestion-failure rule. When the run failed or has failed records, the XCom also
        holds `diagnostics`: counts, top error codes with rows each, XDM paths, a few messages
        (never a record's value; see `resources.run_diagnostics`).
    :param fail_on_partial_success: the opposite of `allow_partial_success` (kept for older DAGs).
    :param lineage_input, dataset_id, dataset_fields: for OpenLineage (docs/lineage.md), what the
        flow reads (`{"namespace", "name"}`, see `resources.lineage`), the ID of the AEP dataset it
        writes and that dataset's XDM fields (`[{"name", "type"}]`, the schema task's XCom
        `xdm_fields`); all templatable, none needed.
    """

    template_fields: Sequence[str] = (
        "flow_id",
        "run_id",
        "started_after",
        "aep_conn_id",
        "poll_interval",
        "deferrable",
        "max_failed_ratio",
        "lineage_input",
        "dataset_id",
        "dataset_fields",
    )
    ui_color = "#fa0f00"
    operator_extra_links = (AEPDataflowLink(), AEPDataflowRunLink())

    def __init__(
        self,
        *,
        flow_id: str,
        run_id: str | None = None,
        started_after: Any = None,
        latest_run: bool = False,
        aep_conn_id: str = AdobeExperiencePlatformHook.default_conn_name,
        poll_interval: float | str = 30,
        deferrable: bool | str = conf.getboolean("operators", "default_deferrable", fallback=False),
        allow_partial_success: bool = True,
        max_failed_ratio: float | str | None = None,
        fail_on_partial_success: bool = False,
        timeout: float | datetime.timedelta = 2 * 60 * 60,
        lineage_input: dict[str, str] | None = None,
        dataset_id: str | None = None,
        dataset_fields: list[dict[str, str]] | str | None = None,
        **kwargs: Any,
    ) -> None:
        # `poke_interval` is BaseSensorOperator's own name for `poll_interval`: a user's wins.
        self._user_poke_interval = kwargs.get("poke_interval")
        super().__init__(timeout=timeout, **kwargs)
        self.lineage_input = lineage_input
        self.dataset_id = dataset_id
        self.dataset_fields = dataset_fields
        self.flow_id = flow_id
        self.run_id = run_id
        self.started_after = started_after
        self.latest_run = latest_run
        self.aep_conn_id = aep_conn_id
        self.poll_interval = poll_interval
        self.deferrable = deferrable
        self.allow_partial_success = allow_partial_success and not fail_on_partial_success
        self.max_failed_ratio = max_failed_ratio
        self.success_policy = SuccessPolicy(self.allow_partial_success)
        self.selector = RunSelector()

    @cached_property
    def hook(self) -> AdobeExperiencePlatformHook:  # type: ignore[override]
        return AdobeExperiencePlatformHook(self.aep_conn_id)

    def _explicit_selector(self) -> RunSelector | None:
        """The run asked for by run_id, started_after or latest_run (None: none was given)."""
        given = [name for name in ("run_id", "started_after") if getattr(self, name) not in (None, "")]
        if self.latest_run:
            given.append("latest_run")
        if len(given) > 1:
            raise InvalidInputError(
                "run selection", given, "give at most one of run_id, started_after and latest_run"
            )
        if self.run_id not in (None, ""):
            return RunSelector(run_id=validate_id(self.run_id, "run_id"))
        if self.started_after not in (None, ""):
            return RunSelector(started_after_ms=to_epoch_ms(self.started_after))
        if self.latest_run:
            return RunSelector()
        return None

    def _this_dag_runs_run(self, context: Any) -> RunSelector:
        dag_run = context.get("dag_run") if hasattr(context, "get") else None
        start = getattr(dag_run, "start_date", None)
        started_ms = to_epoch_ms(start) if start else int(time.time() * 1000)
        frequency = (self.hook.get_dataflow(self.flow_id).get("scheduleParams") or {}).get("frequency")
        return RunSelector(started_after_ms=started_ms, fallback_to_latest=frequency == "once")

    def _check(self) -> RunSummary:
        summary = summarize_run(self.hook.find_run(self.flow_id, self.selector), self.success_policy)
        if summary["run_id"] is None:
            self.log.info("Dataflow %s: waiting for %s", self.flow_id, self.selector.describe())
        else:
            self.log.info("Dataflow %s: %s", self.flow_id, describe(summary))
        return summary

    def execute(self, context: Any) -> Any:
        with fail_fast():
            # Bad input is refused before any call, and fails the task at once (no retry can cure it).
            self.flow_id = validate_id(self.flow_id, "flow_id")
            self.poke_interval = _to_seconds(
                self.poll_interval if self._user_poke_interval is None else self._user_poke_interval,
                "poke_interval" if self._user_poke_interval is not None else "poll_interval",
            )
            self.success_policy = SuccessPolicy(
                self.allow_partial_success, validate_failed_ratio(self.max_failed_ratio)
            )
            deferrable = validate_bool(self.deferrable, "deferrable")
            explicit = self._explicit_selector()
            self.selector = explicit or self._this_dag_runs_run(context)
            self.log.info("Dataflow %s: waiting for %s", self.flow_id, self.selector.describe())
            push_link(context, **self.hook.ui_context(), flow_id=self.flow_id, run_id=self.selector.run_id)
            if not deferrable:
                return super().execute(context)
            summary = self._check()
        if summary["terminal"]:
            return self._finish(summary, context)
        timeout = (
            self.timeout.total_seconds()
            if isinstance(self.timeout, datetime.timedelta)
            else float(self.timeout)
        )
        self.defer(
            trigger=AEPDataflowRunTrigger(
                flow_id=self.flow_id,
                aep_conn_id=self.aep_conn_id,
                poll_interval=self.poke_interval,
                end_time=time.time() + timeout,
                **self.selector._asdict(),
                **self.success_policy._asdict(),
            ),
            method_name="execute_complete",
            # Airflow's own deadline too (a triggerer that dies cannot leave it deferred forever),
            # one poll later than the trigger's, so the trigger's clearer timeout event comes first.
            timeout=datetime.timedelta(seconds=timeout + self.poke_interval),
        )

    def poke(self, context: Any) -> bool | PokeReturnValue:
        with fail_fast():
            summary = self._check()
        if not summary["terminal"]:
            return False
        return PokeReturnValue(is_done=True, xcom_value=self._finish(summary, context))
