"""Validation of a dataflow's ``scheduleParams`` (DESIGN.md "Schedule rules", reference §2.6)."""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.emulator.errors import flow_invalid
from airflow_provider_stripe_aep.resources.platform import FREQUENCIES, MIN_MINUTE_INTERVAL


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
        if not isinstance(params["backfill"], bool):
            raise flow_invalid(f"scheduleParams.backfill must be a boolean, got {params['backfill']!r}")
        result["backfill"] = params["backfill"]
    return result
