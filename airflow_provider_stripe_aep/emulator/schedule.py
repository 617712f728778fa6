"""Validation of a dataflow's ``scheduleParams`` (DESIGN.md "Schedule rules", reference §2.6)."""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.emulator.errors import flow_invalid

# The emulator's own copy of the rules, written from the API reference (§2.6, §7; DESIGN.md "Schedule
# rules"), not imported from the client: a misreading must not hide in both at once.
FREQUENCIES: tuple[str, ...] = ("once", "minute", "hour", "day", "week")
MIN_MINUTE_INTERVAL = 15
BOOLEAN_STRINGS = {"true": True, "false": False}
"""The tutorials show ``"backfill": "true"`` (reference §8a: strings on GET); the spec types it boolean."""


def _integer(value: Any, name: str) -> int:
    """An integer, or a string of digits (the documents send ``"startTime": "1710267858"``)."""
    if isinstance(value, bool):
        raise flow_invalid(f"scheduleParams.{name} must be an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise flow_invalid(f"scheduleParams.{name} must be an integer, got {value!r}")


def validate_schedule(params: Any) -> dict[str, Any]:
    """Return the normalised schedule (integers) or raise a FLOW-1100-400 naming the field."""
    if not isinstance(params, dict):
        raise flow_invalid("scheduleParams is required and must be an object")
    # Keys the flow spec's scheduleSpec does not name are kept as sent: that JSON Schema does not
    # forbid additional properties (reference §2.6).
    if "startTime" not in params:
        raise flow_invalid("scheduleParams.startTime (epoch seconds) is required")
    start = _integer(params["startTime"], "startTime")
    if start < 0 or start > 10**11:
        raise flow_invalid(f"scheduleParams.startTime must be epoch seconds, got {start}")
    frequency = params.get("frequency")
    if frequency not in FREQUENCIES:
        raise flow_invalid(
            f"scheduleParams.frequency must be one of {', '.join(FREQUENCIES)}, got {frequency!r}"
        )
    known = {"startTime", "endTime", "frequency", "interval", "backfill"}
    result: dict[str, Any] = {k: v for k, v in params.items() if k not in known}
    result.update({"startTime": start, "frequency": frequency})
    if "endTime" in params:
        result["endTime"] = _integer(params["endTime"], "endTime")
    if frequency == "once":
        for name in ("interval", "backfill"):
            if name in params:
                raise flow_invalid(f"scheduleParams.{name} is not allowed when frequency is 'once'")
        return result
    if "interval" not in params:
        raise flow_invalid(f"scheduleParams.interval is required when frequency is '{frequency}'")
    interval = _integer(params["interval"], "interval")
    minimum = MIN_MINUTE_INTERVAL if frequency == "minute" else 1
    if interval < minimum:
        raise flow_invalid(
            f"scheduleParams.interval must be >= {minimum} when frequency is '{frequency}', got {interval}"
        )
    result["interval"] = interval
    if "backfill" in params:
        backfill = params["backfill"]
        if isinstance(backfill, str) and backfill.strip().lower() in BOOLEAN_STRINGS:
            backfill = BOOLEAN_STRINGS[backfill.strip().lower()]
        if not isinstance(backfill, bool):
            raise flow_invalid(f"scheduleParams.backfill must be a boolean, got {params['backfill']!r}")
        result["backfill"] = backfill
    return result


def render_schedule(schedule: dict[str, Any], api_variant: str) -> dict[str, Any]:
    """``scheduleParams`` as a GET answers it: typed under the spec, every value a string under the
    tutorials (``"interval": "15"``, ``"backfill": "true"``; reference §8a)."""
    if api_variant == "spec":
        return dict(schedule)
    return {
        key: (str(value).lower() if isinstance(value, bool) else str(value))
        if isinstance(value, (bool, int))
        else value
        for key, value in schedule.items()
    }
