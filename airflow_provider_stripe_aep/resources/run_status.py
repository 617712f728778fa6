"""Reading a Flow Service run: its status, whether it is over, its record counts and errors; which run
of a flow a task is waiting for; the window an on-demand run ingests.

AEP publishes no enum for `metrics.statusSummary.status` (seen: success, failed, partialSuccess,
scheduled, inProgress; casing varies), so statuses are compared case-insensitively and anything
unknown counts as still running. Run timestamps are epoch milliseconds (reference §2.8).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, TypedDict

from airflow_provider_stripe_aep.resources.run_diagnostics import scrub_message

SUCCESS_STATUSES = frozenset({"success", "succeeded", "completed"})
PARTIAL_STATUSES = frozenset({"partialsuccess", "partial_success"})
FAILED_STATUSES = frozenset(
    {"failed", "failure", "partial_failure", "partialfailure", "cancelled", "canceled"}
)
COUNT_FIELDS = ("inputRecordCount", "outputRecordCount", "failedRecordCount", "skippedRecordCount")
SIZE_FIELDS = ("inputBytes", "outputBytes")
AEP_FAILED_RATIO_ALERT = 0.005
"""AEP's ingestion-failure alert fires when failed / all records exceeds 0.5 % (reference §8b): the
documented reference, and the ceiling a run is judged by unless `max_failed_ratio` says otherwise."""


class RunSummary(TypedDict):
    run_id: str | None
    flow_id: str | None
    status: str
    terminal: bool
    succeeded: bool
    counts: dict[str, int]
    bytes: dict[str, int]
    window_ms: tuple[int, int] | None
    errors: list[str]
    error_codes: list[str]
    failed_ratio: float | None
    started_at_ms: int | None
    completed_at_ms: int | None
    duration_seconds: float | None
    reason: str


class SuccessPolicy(NamedTuple):
    """What counts as success: `partialSuccess` allowed or not, and a ceiling on failed/input records
    (None: AEP's 0.5 % ingestion-failure rule, `AEP_FAILED_RATIO_ALERT`; 1 allows any share)."""

    allow_partial_success: bool = True
    max_failed_ratio: float | None = None

    @property
    def failed_ratio_ceiling(self) -> float:
        return AEP_FAILED_RATIO_ALERT if self.max_failed_ratio is None else self.max_failed_ratio

    def describe_ceiling(self) -> str:
        if self.max_failed_ratio is None:
            return f"AEP's {AEP_FAILED_RATIO_ALERT:.1%} ingestion-failure rule"
        return f"the allowed {self.max_failed_ratio:.1%} (max_failed_ratio)"


class RunSelector(NamedTuple):
    """Which run of a flow to wait for.

    - `run_id`: exactly that run.
    - `started_after_ms`: the first run that started at or after this time; with
      `fallback_to_latest`, the latest run when none did (a flow scheduled `once` that already ran).
    - neither: the latest run.
    """

    run_id: str | None = None
    started_after_ms: int | None = None
    fallback_to_latest: bool = False

    def describe(self) -> str:
        if self.run_id:
            return f"run {self.run_id}"
        if self.started_after_ms is not None:
            return f"the first run started at or after {self.started_after_ms} ms"
        return "the latest run"


def run_started_ms(run: dict[str, Any]) -> int | None:
    started = (run.get("metrics") or {}).get("durationSummary", {}).get("startedAtUTC")
    value = started if isinstance(started, int | float) else run.get("createdAt")
    return int(value) if isinstance(value, int | float) else None


def select_run(runs_newest_first: Iterable[dict[str, Any]], selector: RunSelector) -> dict[str, Any] | None:
    """The run `selector` asks for among the flow's runs (newest first), or None if there is none yet."""
    latest: dict[str, Any] | None = None
    found: dict[str, Any] | None = None
    for run in runs_newest_first:
        if selector.run_id:
            if run.get("id") == selector.run_id:
                return run
            continue
        if latest is None:
            latest = run
            if selector.started_after_ms is None:
                return run
        started = run_started_ms(run)
        if started is None or started < selector.started_after_ms:  # type: ignore[operator]
            break
        found = run  # keep going: the oldest run still after the bound is the one asked for
    if found is None and selector.fallback_to_latest:
        return latest
    return found


def run_activities(run: dict[str, Any]) -> list[Any]:
    """A run's activities (copy, promotion). Live examples spell the array `activities`; the flow
    spec's FlowRunItemDTO spells it `activites` (API reference §2.8): read either."""
    activities = run.get("activities")
    if activities is None:
        activities = run.get("activites")
    return activities if isinstance(activities, list) else []


def settles(run: dict[str, Any], selector: RunSelector) -> bool:
    """Whether reading `run` (runs are read newest first) fixes what `select_run` picks for
    `selector`, so that no older page needs to be read: the run itself for `run_id`, any run for
    the latest, and for `started_after_ms` a run that started before the bound (or has no start)."""
    if selector.run_id:
        return run.get("id") == selector.run_id
    if selector.started_after_ms is None:
        return True
    started = run_started_ms(run)
    return started is None or started < selector.started_after_ms


def unsettled(page: Iterable[dict[str, Any]], selectors: Iterable[RunSelector]) -> frozenset[RunSelector]:
    """The selectors that this page of runs (and those before it) leaves open."""
    runs = list(page)
    return frozenset(s for s in selectors if not any(settles(run, s) for run in runs))


def _errors(status_summary: dict[str, Any], activities: list[Any]) -> list[dict[str, Any]]:
    errors = [e for e in status_summary.get("errors") or [] if isinstance(e, dict)]
    for activity in activities:
        if not isinstance(activity, dict):
            continue
        summary = activity.get("statusSummary") or {}
        nested = (summary.get("extensions") or {}).get("errors") or summary.get("errors") or []
        errors.extend(e for e in nested if isinstance(e, dict))
    unique: dict[tuple[str, str], dict[str, Any]] = {}
    for error in errors:
        unique.setdefault((str(error.get("code")), str(error.get("message"))), error)
    return list(unique.values())


def summarize_run(
    run: dict[str, Any] | None,
    policy: SuccessPolicy | None = None,
    *,
    fail_on_partial_success: bool = False,
) -> RunSummary:
    """What a sensor needs from one run object (None: no matching run yet)."""
    policy = policy or SuccessPolicy(allow_partial_success=not fail_on_partial_success)
    if not run:
        return RunSummary(
            run_id=None,
            flow_id=None,
            status="none",
            terminal=False,
            succeeded=False,
            counts={},
            bytes={},
            window_ms=None,
            errors=[],
            error_codes=[],
            failed_ratio=None,
            started_at_ms=None,
            completed_at_ms=None,
            duration_seconds=None,
            reason="no run yet",
        )
    metrics = run.get("metrics") or {}
    status_summary = metrics.get("statusSummary") or {}
    status = str(status_summary.get("status") or run.get("state") or "unknown")
    key = status.lower()
    records = metrics.get("recordSummary") or {}
    counts = {name: int(records[name]) for name in COUNT_FIELDS if isinstance(records.get(name), int | float)}
    sizes = metrics.get("sizeSummary") or {}
    size_counts = {name: int(sizes[name]) for name in SIZE_FIELDS if isinstance(sizes.get(name), int | float)}
    errors = _errors(status_summary, run_activities(run))
    inputs, failed = counts.get("inputRecordCount"), counts.get("failedRecordCount")
    ratio = failed / inputs if inputs and failed is not None else None
    partial = key in PARTIAL_STATUSES
    terminal = key in SUCCESS_STATUSES or partial or key in FAILED_STATUSES
    duration = metrics.get("durationSummary") or {}
    started, completed = duration.get("startedAtUTC"), duration.get("completedAtUTC")
    started_ms = int(started) if isinstance(started, int | float) else None
    completed_ms = int(completed) if isinstance(completed, int | float) else None
    reason = ""
    if key in FAILED_STATUSES:
        reason = f"the run ended {status}"
    elif partial and not policy.allow_partial_success:
        reason = "the run ended partialSuccess and partial success is not allowed"
    elif terminal and ratio is not None and ratio > policy.failed_ratio_ceiling:
        reason = f"{ratio:.1%} of the records failed, more than {policy.describe_ceiling()}"
    return RunSummary(
        run_id=run.get("id"),
        flow_id=run.get("flowId"),
        status=status,
        terminal=terminal,
        succeeded=terminal and not reason,
        counts=counts,
        bytes=size_counts,
        window_ms=run_window_ms(run),
        # AEP's messages may quote a record's value: only their scrubbed text is kept.
        errors=[f"{e.get('code', '?')}: {scrub_message(e.get('message'))}".strip() for e in errors],
        error_codes=[str(e["code"]) for e in errors if e.get("code")],
        failed_ratio=ratio,
        started_at_ms=started_ms,
        completed_at_ms=completed_ms,
        duration_seconds=(completed_ms - started_ms) / 1000 if started_ms and completed_ms else None,
        reason=reason,
    )


def describe(summary: RunSummary) -> str:
    counts = ", ".join(f"{k}={v}" for k, v in summary["counts"].items()) or "no record counts"
    text = f"run {summary['run_id']} is {summary['status']} ({counts})"
    if summary.get("reason") and summary["terminal"] and not summary["succeeded"]:
        text += f"; failed because {summary['reason']}"
    if summary["errors"]:
        text += "; errors: " + "; ".join(summary["errors"])
    return text


def run_result(summary: RunSummary) -> dict[str, Any]:
    """The XCom a finished run task returns: IDs, status, record counts, duration, errors."""
    return {
        "run_id": summary["run_id"],
        "flow_id": summary["flow_id"],
        "status": summary["status"],
        "counts": summary["counts"],
        "duration_seconds": summary["duration_seconds"],
        "errors": summary["errors"],
    }


def runs_in_events(extras: Iterable[Any]) -> list[dict[str, Any]]:
    """The runs announced by Asset (Dataset) events, from their `extra`s (`run_event_extra`'s shape),
    in the order given (a run announced twice shows twice); events without a run (a manual event,
    another producer) are left out. An outlet event carries the run as its `extra`; an AssetWatcher's
    event carries it under `payload` (Airflow adds `from_trigger`)."""
    runs: list[dict[str, Any]] = []
    for extra in extras:
        if not isinstance(extra, dict):
            continue
        run = extra.get("payload") if extra.get("from_trigger") else extra
        if isinstance(run, dict) and run.get("run_id"):
            runs.append({k: _from_json_text(v) if k in _NESTED_EXTRA else v for k, v in run.items()})
    return runs


def triggering_runs(context: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The runs announced by the events that triggered a DAG run, from its task context's
    `triggering_asset_events` (`triggering_dataset_events` on Airflow 2)."""
    events = context.get("triggering_asset_events") or context.get("triggering_dataset_events") or {}
    return runs_in_events(event.extra for batch in events.values() for event in batch)


_NESTED_EXTRA = ("counts", "errors")
"""Keys of `run_event_extra` whose values nest; on Airflow 2.11 an alias event carries them as JSON."""


def _from_json_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def window_params(
    window_start: int, window_end: int, *, start_time: int, delta_column: str | None = None
) -> dict[str, Any]:
    """`params` of `POST /runs` (§2.9, §8a): epoch **seconds** as JSON **integers**. The spec types the
    fields `integer` (the guide's strings are not); both documents' examples are ten-digit seconds and
    the guide says "unix time" (only the spec's field text says ms). docs/api-notes.md says more."""
    params: dict[str, Any] = {
        "startTime": int(start_time),
        "windowStartTime": int(window_start),
        "windowEndTime": int(window_end),
    }
    if delta_column:
        params["deltaColumn"] = {"name": delta_column}
    return params


def _epoch_ms(value: Any) -> int | None:
    """Epoch milliseconds, as documented: a number or a string of digits."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def run_window(run: dict[str, Any]) -> tuple[int, int] | None:
    """The window a run ingested, in epoch milliseconds, or None when the run does not say.

    Documented (monitor.md, reference §2.9) in `activities[id=copyActivity].durationSummary.extensions`
    as `windowStart`/`windowEnd`, in milliseconds; the spec spells the array `activites` (both are read,
    `run_activities`). The run object carries no `params` (FlowRunItemDTO has none), so the request's
    window is never read back from it. The documents give no window for scheduled runs.
    """
    for activity in run_activities(run):
        if not isinstance(activity, dict) or activity.get("id") != "copyActivity":
            continue
        duration = activity.get("durationSummary")
        extensions = duration.get("extensions") if isinstance(duration, dict) else None
        if not isinstance(extensions, dict):
            continue
        start, end = _epoch_ms(extensions.get("windowStart")), _epoch_ms(extensions.get("windowEnd"))
        if start is not None and end is not None:
            return start, end
    return None


def same_window(run: dict[str, Any], window_start: int, window_end: int) -> bool:
    """Whether a run ingested exactly this window (epoch seconds), read from its documented window."""
    return run_window(run) == (window_start * 1000, window_end * 1000)


run_window_ms = run_window
"""The name the run summary and the Asset event extra use for `run_window`."""


def run_event_extra(summary: RunSummary, window_ms: tuple[int, int] | None = None) -> dict[str, Any]:
    """What an Asset event about a finished run carries in its `extra` (JSON, no record values, no
    secrets): the run's IDs, status, record counts, window and times. One shape for the ingest DAG's
    outlet event and the AssetWatcher's events, so a downstream DAG reads both alike."""
    return {
        "run_id": summary["run_id"],
        "flow_id": summary["flow_id"],
        "status": summary["status"],
        "succeeded": summary["succeeded"],
        "counts": dict(summary["counts"]),
        "window_start_ms": window_ms[0] if window_ms else None,
        "window_end_ms": window_ms[1] if window_ms else None,
        "started_at_ms": summary["started_at_ms"],
        "completed_at_ms": summary["completed_at_ms"],
        "duration_seconds": summary["duration_seconds"],
        "errors": list(summary["errors"]),
    }
