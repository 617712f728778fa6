"""Reading a Flow Service run: its status, whether it is over, its record counts and errors.

AEP publishes no enum for `metrics.statusSummary.status` (seen: success, failed, partialSuccess,
scheduled, inProgress; casing varies), so statuses are compared case-insensitively and anything
unknown counts as still running.
"""

from __future__ import annotations

from typing import Any, TypedDict

SUCCESS_STATUSES = frozenset({"success", "succeeded", "completed"})
PARTIAL_STATUSES = frozenset({"partialsuccess", "partial_success"})
FAILED_STATUSES = frozenset(
    {"failed", "failure", "partial_failure", "partialfailure", "cancelled", "canceled"}
)
COUNT_FIELDS = ("inputRecordCount", "outputRecordCount", "failedRecordCount", "skippedRecordCount")


class RunSummary(TypedDict):
    run_id: str | None
    status: str
    terminal: bool
    succeeded: bool
    counts: dict[str, int]
    errors: list[str]


def summarize_run(run: dict[str, Any] | None, *, fail_on_partial_success: bool = False) -> RunSummary:
    """What a sensor needs from one run object (None: the flow has no run yet)."""
    if not run:
        return RunSummary(run_id=None, status="none", terminal=False, succeeded=False, counts={}, errors=[])
    metrics = run.get("metrics") or {}
    status_summary = metrics.get("statusSummary") or {}
    status = str(status_summary.get("status") or run.get("state") or "unknown")
    key = status.lower()
    records = metrics.get("recordSummary") or {}
    counts = {name: int(records[name]) for name in COUNT_FIELDS if isinstance(records.get(name), int | float)}
    errors = [
        f"{e.get('code', '?')}: {e.get('message', '')}".strip()
        for e in status_summary.get("errors") or []
        if isinstance(e, dict)
    ]
    partial = key in PARTIAL_STATUSES
    terminal = key in SUCCESS_STATUSES or partial or key in FAILED_STATUSES
    succeeded = key in SUCCESS_STATUSES or (partial and not fail_on_partial_success)
    return RunSummary(
        run_id=run.get("id"),
        status=status,
        terminal=terminal,
        succeeded=succeeded,
        counts=counts,
        errors=errors,
    )


def describe(summary: RunSummary) -> str:
    counts = ", ".join(f"{k}={v}" for k, v in summary["counts"].items()) or "no record counts"
    text = f"run {summary['run_id']} is {summary['status']} ({counts})"
    if summary["errors"]:
        text += "; errors: " + "; ".join(summary["errors"])
    return text
