"""A verdict per dataflow: ok, stale, failing or disabled (pure: the flow object and its runs in a
window in, a `FlowHealth` out).

- **disabled**: the flow's `state` is not `enabled`.
- **failing**: its latest finished run in the window failed, or the failed share of the window's
  records (failed / input, summed over its runs) exceeds the ceiling (AEP's 0.5 % ingestion-failure
  rule by default, reference §8b).
- **stale**: the last successful run ended longer ago than the flow can be late: `stale_after` when
  given, else `stale_after_intervals` times the flow's interval (its `scheduleParams`; for a flow
  scheduled `once`, run by the ingest DAG, the `expected_interval` given). A flow that never
  succeeded is judged from its creation. Without any interval the freshness is not judged.
- **ok** otherwise. When several apply, the first of disabled, failing, stale is the verdict; every
  reason is listed.

The last successful run is looked for in the window's runs and in the flow's `lastRunDetails`
(the newest finished run, reference §2.6), so a flow that runs less often than the window still has
a last success when its latest run succeeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple, TypedDict

from airflow_provider_stripe_aep.resources.run_diagnostics import CodeCount, run_errors
from airflow_provider_stripe_aep.resources.run_status import (
    AEP_FAILED_RATIO_ALERT,
    FAILED_STATUSES,
    PARTIAL_STATUSES,
    SUCCESS_STATUSES,
)

VERDICTS = ("ok", "stale", "failing", "disabled")
FREQUENCY_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
PRESET_SECONDS = {"@hourly": 3600, "@daily": 86400, "@weekly": 7 * 86400}
TOP_CODES = 5


class HealthPolicy(NamedTuple):
    """How flows are judged: over the last `window_seconds`, with a failed-records ceiling and a
    lateness allowance (see the module's docstring)."""

    window_seconds: float = 24 * 3600
    max_failed_ratio: float = AEP_FAILED_RATIO_ALERT
    stale_after_intervals: float = 2.0
    expected_interval_seconds: float | None = None
    stale_after_seconds: float | None = None


class FlowHealth(TypedDict):
    flow_id: str
    name: str
    state: str
    verdict: str
    reasons: list[str]
    runs: int
    failed_runs: int
    latest_status: str | None
    last_success_end_ms: int | None
    age_seconds: float | None
    stale_after_seconds: float | None
    input_records: int
    failed_records: int
    failed_ratio: float | None
    top_codes: list[CodeCount]


def schedule_interval_seconds(schedule_params: Any) -> float | None:
    """Seconds between a flow's scheduled runs; None for `once` (or an unreadable schedule).
    `interval` may come back as a string (reference §8a)."""
    if not isinstance(schedule_params, dict):
        return None
    unit = FREQUENCY_SECONDS.get(str(schedule_params.get("frequency", "")).lower())
    if unit is None:
        return None
    try:
        interval = float(str(schedule_params.get("interval") or 1))
    except ValueError:
        return None
    return unit * interval if interval > 0 else None


def preset_interval_seconds(schedule: str | None) -> float | None:
    """Seconds of an Airflow preset schedule (`@hourly`, `@daily`, `@weekly`), else None."""
    return PRESET_SECONDS.get(str(schedule or "").strip().lower())


def matches_prefix(flow: dict[str, Any], name_prefix: str | None) -> bool:
    """Whether an onboarding with this name prefix made the flow (`<prefix> <source> ...`)."""
    if not name_prefix:
        return True
    return str(flow.get("name", "")).startswith(f"{name_prefix} ")


def _status(run: dict[str, Any]) -> str:
    return str(
        ((run.get("metrics") or {}).get("statusSummary") or {}).get("status") or run.get("state") or ""
    )


def _ms(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _completed_ms(run: dict[str, Any]) -> int | None:
    return _ms(((run.get("metrics") or {}).get("durationSummary") or {}).get("completedAtUTC"))


def _last_success_ms(flow: dict[str, Any], runs: list[dict[str, Any]]) -> int | None:
    ends = [_completed_ms(r) for r in runs if _status(r).lower() in SUCCESS_STATUSES | PARTIAL_STATUSES]
    details = flow.get("lastRunDetails") or {}
    if str(details.get("state", "")).lower() in SUCCESS_STATUSES | PARTIAL_STATUSES:
        ends.append(_ms(details.get("completedAtUTC")))
    known = [e for e in ends if e is not None]
    return max(known) if known else None


def _top_codes(runs: Iterable[dict[str, Any]]) -> list[CodeCount]:
    rows: dict[str, int | None] = {}
    for run in runs:
        for error in run_errors(run):
            code = str(error.get("code") or "")
            if not code:
                continue
            count = error.get("recordCount")
            if isinstance(count, int | float):
                rows[code] = (rows.get(code) or 0) + int(count)
            else:
                rows.setdefault(code, None)
    ordered = sorted(rows.items(), key=lambda item: (-(item[1] or 0), item[0]))
    return [CodeCount(code=c, rows=n) for c, n in ordered[:TOP_CODES]]


def judge_flow(
    flow: dict[str, Any], runs: list[dict[str, Any]], policy: HealthPolicy, *, now_ms: int
) -> FlowHealth:
    """The health of one flow from its runs that started in the window (any order)."""
    finished = [r for r in runs if _completed_ms(r) is not None]
    latest = max(finished, key=lambda r: _completed_ms(r) or 0, default=None)
    inputs = failed = 0
    for run in finished:
        records = (run.get("metrics") or {}).get("recordSummary") or {}
        inputs += _ms(records.get("inputRecordCount")) or 0
        failed += _ms(records.get("failedRecordCount")) or 0
    ratio = failed / inputs if inputs else None
    state = str(flow.get("state", "unknown"))
    reasons: list[str] = []
    verdicts: list[str] = []
    if state.lower() != "enabled":
        verdicts.append("disabled")
        reasons.append(f"the flow is {state}")
    latest_status = _status(latest) if latest else None
    if latest_status and latest_status.lower() in FAILED_STATUSES:
        verdicts.append("failing")
        reasons.append(f"its latest run ended {latest_status}")
    if ratio is not None and ratio > policy.max_failed_ratio:
        verdicts.append("failing")
        reasons.append(
            f"{failed} of {inputs} records failed ({ratio:.1%}), more than {policy.max_failed_ratio:.1%}"
        )
    interval = schedule_interval_seconds(flow.get("scheduleParams")) or policy.expected_interval_seconds
    stale_after = policy.stale_after_seconds or (
        interval * policy.stale_after_intervals if interval else None
    )
    last_success = _last_success_ms(flow, runs)
    age = (now_ms - last_success) / 1000 if last_success is not None else None
    if stale_after is not None and state.lower() == "enabled":
        since = last_success if last_success is not None else _ms(flow.get("createdAt"))
        if since is not None and (now_ms - since) / 1000 > stale_after:
            verdicts.append("stale")
            minutes = (now_ms - since) / 60000
            reasons.append(
                f"no successful run for {minutes:.0f} min (allowed {stale_after / 60:.0f} min)"
                if last_success is not None
                else f"no successful run since it was created {minutes:.0f} min ago"
            )
    verdict = next((v for v in ("disabled", "failing", "stale") if v in verdicts), "ok")
    return FlowHealth(
        flow_id=str(flow.get("id")),
        name=str(flow.get("name", "")),
        state=state,
        verdict=verdict,
        reasons=reasons,
        runs=len(runs),
        failed_runs=sum(1 for r in finished if _status(r).lower() in FAILED_STATUSES),
        latest_status=latest_status,
        last_success_end_ms=last_success,
        age_seconds=age,
        stale_after_seconds=stale_after,
        input_records=inputs,
        failed_records=failed,
        failed_ratio=ratio,
        top_codes=_top_codes(finished),
    )


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


def health_table(flows: list[FlowHealth]) -> str:
    """A fixed-width table, one line per flow, for the task log."""
    header = ("dataflow", "verdict", "state", "last success", "runs", "failed/input", "top codes")
    rows = [header] + [
        (
            f["name"] or f["flow_id"],
            f["verdict"],
            f["state"],
            _age(f["age_seconds"]),
            str(f["runs"]),
            f"{f['failed_records']}/{f['input_records']}"
            + (f" ({f['failed_ratio']:.1%})" if f["failed_ratio"] is not None else ""),
            ", ".join(c["code"] + (f" x{c['rows']}" if c["rows"] is not None else "") for c in f["top_codes"])
            or "-",
        )
        for f in flows
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for f in flows:
        if f["reasons"]:
            lines.append(f"{f['name'] or f['flow_id']}: {f['verdict']}: {'; '.join(f['reasons'])}")
    return "\n".join(lines)
