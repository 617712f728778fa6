"""Turning "change this dataflow" into the JSON Patch AEP accepts, refusing what AEP forbids first.

Rules (reference §2.11, §2.6): Flow Service takes add/replace/remove; the schedule follows the flow
spec's rules (`validate_schedule`); a flow's `startTime` cannot change once the original one has
passed; updates are allowed only in the states enabled, disabled and initializing.
"""

from __future__ import annotations

import time
from typing import Any, TypedDict

from airflow_provider_stripe_aep.validation import (
    InvalidInputError,
    to_epoch_seconds,
    validate_id,
    validate_name,
    validate_schedule,
)

UPDATABLE_STATES = ("enabled", "disabled", "initializing")


class DataflowChanges(TypedDict, total=False):
    name: str
    description: str
    frequency: str
    interval: int | str | None
    start_time: Any
    backfill: bool | str | None
    mapping_id: str
    mapping_version: int | str


CHANGE_FIELDS = tuple(DataflowChanges.__annotations__)
SCHEDULE_FIELDS = ("frequency", "interval", "start_time", "backfill")


def plan_dataflow_patch(
    flow: dict[str, Any], changes: dict[str, Any], *, now: int | None = None
) -> list[dict[str, Any]]:
    """The JSON Patch operations that apply `changes` to `flow` (empty: nothing to change)."""
    unknown = sorted(set(changes) - set(CHANGE_FIELDS))
    if unknown:
        raise InvalidInputError("changes", unknown, f"keys must be among {', '.join(CHANGE_FIELDS)}")
    state = str(flow.get("state", "enabled"))
    if state not in UPDATABLE_STATES:
        raise InvalidInputError(
            "flow state", state, f"AEP updates a dataflow only when it is {', '.join(UPDATABLE_STATES)}"
        )
    ops: list[dict[str, Any]] = []
    if "name" in changes and changes["name"] != flow.get("name"):
        ops.append({"op": "replace", "path": "/name", "value": validate_name(changes["name"], "name")})
    if "description" in changes and changes["description"] != flow.get("description"):
        ops.append({"op": "replace", "path": "/description", "value": str(changes["description"])})
    if any(key in changes for key in SCHEDULE_FIELDS):
        ops.extend(_schedule_ops(flow.get("scheduleParams") or {}, changes, now))
    if "mapping_id" in changes or "mapping_version" in changes:
        ops.extend(_mapping_ops(flow.get("transformations") or [], changes))
    return ops


def _schedule_ops(current: dict[str, Any], changes: dict[str, Any], now: int | None) -> list[dict[str, Any]]:
    now = int(time.time()) if now is None else now
    frequency = changes.get("frequency", current.get("frequency"))
    interval = changes["interval"] if "interval" in changes else current.get("interval")
    if frequency == "once" and "interval" not in changes:
        interval = None  # switching to once drops the interval
    old_start = current.get("startTime")
    start = changes.get("start_time", old_start)
    backfill = changes["backfill"] if "backfill" in changes else current.get("backfill")
    if frequency == "once":
        backfill = None if "backfill" not in changes else backfill
    wanted = validate_schedule(frequency, interval, start, backfill, now=now)
    if old_start is not None and "start_time" in changes:
        old = to_epoch_seconds(old_start, "scheduleParams.startTime")
        new = int(wanted["startTime"])
        if new != old and old <= now:
            raise InvalidInputError(
                "start_time",
                changes["start_time"],
                "cannot change: AEP does not allow changing a dataflow's startTime once the original "
                f"startTime ({old}) has passed",
            )
    ops = []
    for key in ("frequency", "interval", "backfill", "startTime"):
        if key in wanted and not same_value(wanted[key], current.get(key)):
            op = "replace" if key in current else "add"
            ops.append({"op": op, "path": f"/scheduleParams/{key}", "value": wanted[key]})
        elif key not in wanted and key in current:
            ops.append({"op": "remove", "path": f"/scheduleParams/{key}"})
    return ops


def same_value(wanted: Any, current: Any) -> bool:
    """Whether a schedule value read back from AEP is the one wanted, by value not by spelling: a GET
    answers `"interval": "15"`, `"backfill": "true"` as the tutorials show, or typed as the spec does
    (API reference §8a)."""
    return _by_value(wanted) == _by_value(current)


def _by_value(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def _mapping_ops(transformations: list[dict[str, Any]], changes: dict[str, Any]) -> list[dict[str, Any]]:
    index = next((i for i, t in enumerate(transformations) if t.get("name") == "Mapping"), None)
    current = (transformations[index].get("params") or {}) if index is not None else {}
    mapping_id = changes.get("mapping_id", current.get("mappingId"))
    if mapping_id is None:
        raise InvalidInputError("mapping_id", None, "is required: the dataflow has no mapping yet")
    mapping_id = validate_id(mapping_id, "mapping_id")
    version = changes.get("mapping_version", current.get("mappingVersion", 0))
    if isinstance(version, bool) or not str(version).strip().isdigit():
        raise InvalidInputError("mapping_version", version, "must be a whole number >= 0")
    version_number = int(str(version))
    wanted = {"name": "Mapping", "params": {"mappingId": mapping_id, "mappingVersion": version_number}}
    if (
        index is not None
        and str(current.get("mappingId")) == mapping_id
        and str(current.get("mappingVersion")) == str(version_number)
    ):
        return []
    if index is None:
        return [{"op": "add", "path": "/transformations/-", "value": wanted}]
    return [{"op": "replace", "path": f"/transformations/{index}", "value": wanted}]
