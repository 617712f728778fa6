"""The health of every dataflow an onboarding made: one verdict per flow (ok / stale / failing /
disabled), a table in the log, the verdicts as XCom, and a failure (or a user's callback) when a flow
is not ok. The verdict rules are `resources.flow_health`."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Sequence
from typing import Any

from airflow.providers.common.compat.sdk import AirflowFailException

from airflow_provider_stripe_aep.operators.base import AEPBaseOperator
from airflow_provider_stripe_aep.resources.flow_health import (
    FlowHealth,
    HealthPolicy,
    health_table,
    judge_flow,
    matches_prefix,
)
from airflow_provider_stripe_aep.resources.run_status import SuccessPolicy
from airflow_provider_stripe_aep.validation import InvalidInputError, validate_bool, validate_failed_ratio

HEALTH_XCOM_KEY = "health"


def _seconds(value: Any, field: str, *, unit: float = 1.0, optional: bool = True) -> float | None:
    """A positive duration: a timedelta, or a number of `unit` seconds (a rendered template)."""
    if value is None or value == "":
        if optional:
            return None
        raise InvalidInputError(field, value, "is required")
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    else:
        try:
            seconds = float(value) * unit
        except (TypeError, ValueError):
            seconds = -1.0
    if not seconds > 0:
        raise InvalidInputError(field, value, "must be a duration greater than 0 (a number or a timedelta)")
    return seconds


class AEPDataflowHealthOperator(AEPBaseOperator):
    """Judge every source dataflow of the sandbox (or those an onboarding with `name_prefix` made):
    state, freshness of the last successful run, failed records and top error codes over a window.
    Costs one paged list of flows, then one paged list of runs per flow (runs of the window only).

    Logs a table, pushes the verdicts as XCom `health` (and returns them when all are ok), and when
    any flow is not ok calls `on_unhealthy(unhealthy_flows, context)` if given and fails the task
    unless `fail_on_unhealthy` is false.

    :param name_prefix: judge only flows whose name starts with `<name_prefix> ` (the onboarding's
        naming); default every source flow of the sandbox.
    :param window: how far back runs are read (timedelta or hours; default 24 h).
    :param max_failed_ratio: ceiling of failed / input records over the window (default AEP's 0.5 %).
    :param expected_interval: how often a flow scheduled `once` is run by the ingest DAG (timedelta
        or hours); flows with a schedule use theirs. Without it, `once` flows are not judged stale.
    :param stale_after: how long after its last successful run a flow is stale (timedelta or hours);
        default `stale_after_intervals` (2) times its interval.
    :param fail_on_unhealthy: fail the task when a flow is not ok (default true).
    :param on_unhealthy: a callable `(flows, context)` run when a flow is not ok.
    """

    template_fields: Sequence[str] = (
        "aep_conn_id",
        "name_prefix",
        "window",
        "max_failed_ratio",
        "expected_interval",
        "stale_after",
        "fail_on_unhealthy",
    )

    def __init__(
        self,
        *,
        name_prefix: str | None = None,
        window: datetime.timedelta | float | str = datetime.timedelta(hours=24),
        max_failed_ratio: float | str | None = None,
        expected_interval: datetime.timedelta | float | str | None = None,
        stale_after: datetime.timedelta | float | str | None = None,
        stale_after_intervals: float = 2.0,
        fail_on_unhealthy: bool | str = True,
        on_unhealthy: Callable[[list[FlowHealth], Any], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name_prefix = name_prefix
        self.window = window
        self.max_failed_ratio = max_failed_ratio
        self.expected_interval = expected_interval
        self.stale_after = stale_after
        self.stale_after_intervals = stale_after_intervals
        self.fail_on_unhealthy = fail_on_unhealthy
        self.on_unhealthy = on_unhealthy

    def _policy(self) -> HealthPolicy:
        window = _seconds(self.window, "window", unit=3600, optional=False)
        assert window is not None
        return HealthPolicy(
            window_seconds=window,
            max_failed_ratio=SuccessPolicy(
                max_failed_ratio=validate_failed_ratio(self.max_failed_ratio)
            ).failed_ratio_ceiling,
            stale_after_intervals=float(self.stale_after_intervals),
            expected_interval_seconds=_seconds(self.expected_interval, "expected_interval", unit=3600),
            stale_after_seconds=_seconds(self.stale_after, "stale_after", unit=3600),
        )

    def execute(self, context: Any) -> list[FlowHealth]:
        policy = self._policy()
        fail = validate_bool(self.fail_on_unhealthy, "fail_on_unhealthy")
        prefix = str(self.name_prefix).strip() if self.name_prefix not in (None, "") else None
        now_ms = int(time.time() * 1000)
        since_ms = now_ms - int(policy.window_seconds * 1000)
        flows = [f for f in self.hook.iter_source_flows() if matches_prefix(f, prefix)]
        verdicts = [
            judge_flow(flow, self.hook.runs_started_after(str(flow["id"]), since_ms), policy, now_ms=now_ms)
            for flow in sorted(flows, key=lambda f: str(f.get("name", "")))
        ]
        scope = f"named {prefix!r}..." if prefix else "of the sandbox"
        self.log.info(
            "Health of %d dataflow(s) %s over the last %.0f h:\n%s",
            len(verdicts),
            scope,
            policy.window_seconds / 3600,
            health_table(verdicts),
        )
        ti = context.get("ti") if hasattr(context, "get") else None
        if ti is not None:
            ti.xcom_push(key=HEALTH_XCOM_KEY, value=verdicts)
        unhealthy = [v for v in verdicts if v["verdict"] != "ok"]
        if unhealthy:
            if self.on_unhealthy is not None:
                self.on_unhealthy(unhealthy, context)
            summary = ", ".join(f"{v['name'] or v['flow_id']}: {v['verdict']}" for v in unhealthy)
            if fail:
                # The verdict is this hour's answer: a retry now would only repeat it.
                raise AirflowFailException(
                    f"{len(unhealthy)} of {len(verdicts)} dataflow(s) not ok: {summary}"
                )
            self.log.warning("%d of %d dataflow(s) not ok: %s", len(unhealthy), len(verdicts), summary)
        return verdicts
