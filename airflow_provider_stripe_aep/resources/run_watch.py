"""Which runs of a watched dataflow are newly final, and the watermark that remembers what was
announced (pure; the AssetWatcher's trigger applies it to each poll).

A run is announced once: when it is final, its status is among the watched ones, and it completed
after the watermark (or at the watermark's millisecond without being one of the runs announced there).
The watermark is JSON so the trigger can keep it in the Asset's state store across triggerer restarts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

from airflow_provider_stripe_aep.resources.run_status import (
    FAILED_STATUSES,
    PARTIAL_STATUSES,
    SUCCESS_STATUSES,
    RunSummary,
)
from airflow_provider_stripe_aep.validation import InvalidInputError

FINAL_STATUS_GROUPS: dict[str, frozenset[str]] = {
    "success": SUCCESS_STATUSES,
    "partialSuccess": PARTIAL_STATUSES,
    "failed": FAILED_STATUSES,
}
"""The statuses a watcher can announce, each with the spellings AEP uses for it (reference §2.8)."""
DEFAULT_STATUSES: tuple[str, ...] = tuple(FINAL_STATUS_GROUPS)


class Watermark(TypedDict):
    """What a watcher announced: the runs (ID -> completion, epoch ms) that completed at or after
    `floor_ms`; a run that completed before the floor is never announced. Keeping the IDs, not just
    the newest completion, announces a run whose end AEP reports late (after a run that ended later)."""

    floor_ms: int
    announced: dict[str, int]


def check_statuses(statuses: Sequence[str]) -> tuple[str, ...]:
    """The watched statuses, checked: a non-empty list among success, partialSuccess, failed."""
    if isinstance(statuses, str) or not statuses:
        raise InvalidInputError(
            "statuses", statuses, f"must be a non-empty list of {', '.join(FINAL_STATUS_GROUPS)}"
        )
    unknown = [s for s in statuses if s not in FINAL_STATUS_GROUPS]
    if unknown:
        raise InvalidInputError(
            "statuses", list(statuses), f"must each be one of {', '.join(FINAL_STATUS_GROUPS)}"
        )
    return tuple(dict.fromkeys(statuses))


def status_watched(status: str, statuses: Iterable[str]) -> bool:
    key = status.lower()
    return any(key in FINAL_STATUS_GROUPS[name] for name in statuses)


def finished_at_ms(summary: RunSummary) -> int | None:
    """When a final run ended: `completedAtUTC`, else its start (a final run without a completion)."""
    return summary["completed_at_ms"] if summary["completed_at_ms"] is not None else summary["started_at_ms"]


def start_watermark(now_ms: int) -> Watermark:
    """A watcher with nothing announced yet announces the runs that finish from now on."""
    return Watermark(floor_ms=now_ms, announced={})


def parse_watermark(value: Any) -> Watermark | None:
    """A stored watermark, or None when there is none or it is not one (then the watcher starts anew)."""
    if not isinstance(value, dict):
        return None
    floor, announced = value.get("floor_ms"), value.get("announced")
    if not isinstance(floor, int) or isinstance(floor, bool) or not isinstance(announced, dict):
        return None
    if not all(isinstance(at, int) for at in announced.values()):
        return None
    return Watermark(floor_ms=floor, announced={str(k): int(v) for k, v in announced.items()})


def is_new(summary: RunSummary, mark: Watermark) -> bool:
    at = finished_at_ms(summary)
    return at is not None and at >= mark["floor_ms"] and str(summary["run_id"]) not in mark["announced"]


def newly_final(
    summaries: Iterable[RunSummary], flow_id: str, statuses: Iterable[str], mark: Watermark
) -> list[RunSummary]:
    """The flow's runs to announce now, oldest completion first."""
    watched = tuple(statuses)
    found = {
        s["run_id"]: s
        for s in summaries
        if s["flow_id"] == flow_id
        and s["run_id"]
        and s["terminal"]
        and status_watched(s["status"], watched)
        and is_new(s, mark)
    }
    return sorted(found.values(), key=lambda s: (finished_at_ms(s) or 0, str(s["run_id"])))


def advance(mark: Watermark, summary: RunSummary) -> Watermark:
    """The watermark after announcing `summary`."""
    at = finished_at_ms(summary)
    announced = {**mark["announced"], str(summary["run_id"]): at if at is not None else mark["floor_ms"]}
    return Watermark(floor_ms=mark["floor_ms"], announced=announced)


def raise_floor(mark: Watermark, floor_ms: int) -> Watermark:
    """Forget the runs that completed before `floor_ms` (the poll no longer lists them), so the
    watermark stays as small as the runs of the poll's look-back window."""
    if floor_ms <= mark["floor_ms"]:
        return mark
    kept = {run_id: at for run_id, at in mark["announced"].items() if at >= floor_ms}
    return Watermark(floor_ms=floor_ms, announced=kept)
