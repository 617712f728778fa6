"""Input validation that runs before any HTTP call.

Every check raises :class:`InvalidInputError`, whose one-line message names the field (as the user knows
it), the rejected value and what is allowed, e.g.::

    Invalid resource_path 'chargez': must be one of charges, subscriptions, refunds, ...

The module is pure: no Airflow import, no HTTP, no I/O. Values of secret fields are never echoed: pass
``secret=True`` and the value is shown (and stored on the exception) as ``'***'``.
"""

from __future__ import annotations

import datetime
import math
import re
import time
import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import pendulum

from airflow_provider_stripe_aep.resources.platform import (
    EXPERIENCE_EVENT_CLASS_ID,
    FREQUENCIES,
    MIN_MINUTE_INTERVAL,
    PROFILE_CLASS_ID,
)
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

__all__ = [
    "CLASS_SHORTHANDS",
    "MAX_EPOCH_SECONDS",
    "InvalidInputError",
    "is_loopback_host",
    "to_epoch_seconds",
    "validate_bool",
    "validate_choice",
    "validate_class_id",
    "validate_data_format",
    "validate_event_columns",
    "validate_id",
    "validate_name",
    "validate_org_id",
    "validate_resource_path",
    "validate_sandbox",
    "validate_schedule",
    "validate_scopes",
    "validate_service_url",
    "validate_timestamp_format",
    "validate_url",
]

MASK = "***"
_MAX_REPR = 120

#: Epoch values above this are read as milliseconds (10**11 s is the year 5138; 10**11 ms is 1973).
MAX_EPOCH_SECONDS = 10**11

#: Shorthands accepted by :func:`validate_class_id`.
CLASS_SHORTHANDS: dict[str, str] = {
    "profile": PROFILE_CLASS_ID,
    "experienceevent": EXPERIENCE_EVENT_CLASS_ID,
}
_ADOBE_NS = "https://ns.adobe.com/"

_XCOM_HINT = "an upstream task may not have pushed an ID to XCom"
_NULLISH = frozenset({"none", "null"})
_INT_RE = re.compile(r"[+-]?\d+")
_SANDBOX_RE = re.compile(r"[a-z0-9-]+")
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


class InvalidInputError(ValueError):
    """A user-supplied value was rejected before any request was sent.

    :param field: the parameter name as the user knows it (``resource_path``, ``interval``...).
    :param value: the rejected value; replaced by ``'***'`` when ``secret`` is true.
    :param allowed: a human description of what is allowed (``must be one of a, b``).
    :param hint: an optional extra explanation (``it looks like epoch milliseconds``).
    """

    def __init__(
        self, field: str, value: Any, allowed: str, *, secret: bool = False, hint: str | None = None
    ) -> None:
        self.field = field
        self.value = MASK if secret else value
        self.allowed = allowed
        self.hint = hint
        self.secret = secret
        shown = MASK if secret else _short_repr(value)
        message = f"Invalid {field} {shown}: {allowed}"
        if hint:
            message += f" ({hint})"
        super().__init__(_one_line(message) + ".")


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _is_int(value: Any) -> bool:
    """True for real integers; ``bool`` is an ``int`` subclass but never a valid number here."""
    return isinstance(value, int) and not isinstance(value, bool)


def _has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


# --------------------------------------------------------------------------------------------------
# Generic helpers
# --------------------------------------------------------------------------------------------------


def validate_choice(value: Any, allowed: Sequence[str], field: str, *, secret: bool = False) -> str:
    """Return ``value`` if it is exactly one of ``allowed`` (case-sensitive, no trimming)."""
    if isinstance(value, str) and value in allowed:
        return value
    raise InvalidInputError(field, value, f"must be one of {', '.join(allowed)}", secret=secret)


def validate_name(value: Any, field: str, max_length: int = 256, *, secret: bool = False) -> str:
    """Return the stripped name: a non-empty string without control characters, at most ``max_length``."""
    allowed = f"must be a non-empty string of at most {max_length} characters without control characters"
    if not isinstance(value, str):
        raise InvalidInputError(field, value, allowed, secret=secret, hint=f"got {type(value).__name__}")
    name = value.strip()
    if not name:
        raise InvalidInputError(field, value, allowed, secret=secret, hint="it is empty")
    if _has_control_chars(name):
        raise InvalidInputError(field, value, allowed, secret=secret, hint="it contains control characters")
    if len(name) > max_length:
        raise InvalidInputError(field, value, allowed, secret=secret, hint=f"it has {len(name)} characters")
    return name


def validate_id(value: Any, field: str, *, allow_slash: bool = False, secret: bool = False) -> str:
    """Return an ID pulled from XCom or typed by the user.

    Catches the usual XCom accidents: ``None``, the rendered string ``'None'``, an empty string, or a
    list (pulling from several task IDs). ``allow_slash`` admits URI IDs such as schema ``$id`` values.
    """
    shape = "a non-empty string without whitespace" + ("" if allow_slash else " or '/'")
    allowed = f"must be {shape}"
    if value is None or isinstance(value, list | tuple | set | dict):
        raise InvalidInputError(field, value, allowed, secret=secret, hint=_XCOM_HINT)
    if not isinstance(value, str):
        raise InvalidInputError(field, value, allowed, secret=secret, hint=f"got {type(value).__name__}")
    if not value.strip() or value.strip().lower() in _NULLISH:
        raise InvalidInputError(field, value, allowed, secret=secret, hint=_XCOM_HINT)
    if any(ch.isspace() for ch in value) or (not allow_slash and "/" in value):
        raise InvalidInputError(field, value, allowed, secret=secret)
    return value


def validate_url(value: Any, field: str, *, secret: bool = False) -> str:
    """Return ``value`` if it is an ``http``/``https`` URL with a host."""
    allowed = "must be an http:// or https:// URL with a host"
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        raise InvalidInputError(field, value, allowed, secret=secret)
    try:
        parts = urlsplit(value)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise InvalidInputError(field, value, allowed, secret=secret) from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise InvalidInputError(field, value, allowed, secret=secret)
    return value


_LOOPBACK_HOSTS = frozenset({"localhost", "::1"})


def is_loopback_host(hostname: str | None) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1 addresses (the bundled emulator, a local proxy)."""
    if not hostname:
        return False
    return hostname.lower() in _LOOPBACK_HOSTS or hostname.startswith("127.")


def validate_service_url(value: Any, field: str) -> str:
    """Return an ``https://`` URL with a host; ``http://`` only for a loopback host (the emulator).

    Credentials and tokens travel to these URLs, so plain HTTP leaves the machine never.
    """
    allowed = "must be an https:// URL with a host (http:// only for a loopback host such as 127.0.0.1)"
    if isinstance(value, str) and value.strip() and "://" not in value:
        raise InvalidInputError(field, value, allowed, hint="it has no scheme; add https://")
    try:
        validate_url(value, field)
    except InvalidInputError:
        raise InvalidInputError(field, value, allowed) from None
    parts = urlsplit(value)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InvalidInputError(field, value, allowed, hint="plain http:// would send credentials in clear")
    return value


# --------------------------------------------------------------------------------------------------
# Project-specific fields
# --------------------------------------------------------------------------------------------------


def validate_resource_path(value: Any, field: str = "resource_path") -> str:
    """Return one of the six Stripe resource paths (exact, lowercase)."""
    return validate_choice(value, RESOURCE_PATHS, field)


def validate_data_format(value: Any, allowed: Sequence[str] = ("json",), field: str = "data_format") -> str:
    """Return the source data format; the Stripe source documents ``json`` only."""
    return validate_choice(value, allowed, field)


def validate_org_id(value: Any, field: str = "org_id") -> str:
    """Return an IMS organization ID such as ``ABC123@AdobeOrg``."""
    allowed = "must be an IMS organization ID ending with '@AdobeOrg' (e.g. 'ABC123@AdobeOrg')"
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        raise InvalidInputError(field, value, allowed)
    prefix, sep, suffix = value.rpartition("@")
    if not sep or suffix != "AdobeOrg" or not prefix or "@" in prefix:
        raise InvalidInputError(field, value, allowed)
    return value


def validate_sandbox(value: Any, field: str = "sandbox") -> str:
    """Return a sandbox name: lowercase letters, digits and hyphens (AEP sandbox names are lowercase)."""
    allowed = "must contain only lowercase letters, digits and hyphens (e.g. 'prod')"
    if not isinstance(value, str) or not value:
        raise InvalidInputError(field, value, allowed)
    if _SANDBOX_RE.fullmatch(value):
        return value
    hint = "sandbox names are all lowercase" if _SANDBOX_RE.fullmatch(value.lower()) else None
    raise InvalidInputError(field, value, allowed, hint=hint)


def validate_scopes(value: Any, field: str = "scopes") -> str:
    """Return comma-separated OAuth scopes (``openid,AdobeID,read_organizations``).

    Spaces around each scope are trimmed, so a list copied from Adobe's pages (``openid, AdobeID``)
    works. A list or tuple of scope strings is joined with commas.
    """
    allowed = "must be comma-separated scopes without empty items (e.g. 'openid,AdobeID')"
    text = value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        text = ",".join(value)
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError(field, value, allowed)
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        raise InvalidInputError(field, value, allowed, hint="it has an empty item")
    if any(any(ch.isspace() for ch in item) for item in items):
        raise InvalidInputError(field, value, allowed, hint="a scope contains a space")
    return ",".join(items)


def validate_class_id(value: Any, field: str = "class_id") -> str:
    """Return an XDM class ``$id``.

    ``profile`` and ``experienceevent`` (any case) map to the standard classes; any other
    ``https://ns.adobe.com/...`` URI is accepted as a user-supplied (e.g. ad-hoc) class.
    """
    allowed = (
        "must be 'profile', 'experienceevent' or a class URI starting with https://ns.adobe.com/ "
        f"(e.g. {PROFILE_CLASS_ID})"
    )
    if not isinstance(value, str):
        raise InvalidInputError(field, value, allowed)
    shorthand = CLASS_SHORTHANDS.get(value.lower())
    if shorthand:
        return shorthand
    rest = value[len(_ADOBE_NS) :] if value.startswith(_ADOBE_NS) else ""
    if rest.strip("/") and not any(ch.isspace() for ch in value):
        return value
    raise InvalidInputError(field, value, allowed)


# --------------------------------------------------------------------------------------------------
# Time and schedule
# --------------------------------------------------------------------------------------------------

_EPOCH_ALLOWED = "must be epoch seconds (a non-negative integer), an ISO-8601 date-time string or a datetime"


def _check_epoch(seconds: int, value: Any, field: str) -> int:
    if seconds < 0:
        raise InvalidInputError(field, value, _EPOCH_ALLOWED, hint="it is before 1970")
    if seconds > MAX_EPOCH_SECONDS:
        raise InvalidInputError(
            field, value, _EPOCH_ALLOWED, hint="it looks like epoch milliseconds; divide by 1000"
        )
    return seconds


def _datetime_to_epoch(value: datetime.datetime) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return math.floor(value.timestamp())


def _parse_iso(value: str, field: str) -> int:
    try:
        parsed = pendulum.parse(value, exact=True)
    except (ValueError, TypeError):  # pendulum's ParserError is a ValueError
        raise InvalidInputError(field, value, _EPOCH_ALLOWED) from None
    if isinstance(parsed, datetime.datetime):
        return _datetime_to_epoch(parsed)
    if isinstance(parsed, datetime.date):  # a bare date means midnight UTC
        return _datetime_to_epoch(datetime.datetime.combine(parsed, datetime.time()))
    # a Time or a Duration is not an instant
    raise InvalidInputError(field, value, _EPOCH_ALLOWED, hint="it is not a date-time")


def to_epoch_seconds(value: Any, field: str = "start_time") -> int:
    """Convert a start time to epoch seconds.

    Accepts an ``int`` (epoch seconds), a numeric string (a rendered template), a whole-number
    ``float``, a ``datetime.datetime`` or ``pendulum.DateTime`` and an ISO-8601 string (parsed by
    pendulum; a bare date means midnight UTC). **Naive datetimes and ISO strings without an offset are
    read as UTC**, the time zone AEP schedules use. Values above ``10**11`` are rejected as probable
    epoch milliseconds; ``bool``, negative values and other types are rejected.
    """
    if isinstance(value, bool):
        raise InvalidInputError(field, value, _EPOCH_ALLOWED, hint="got bool")
    if _is_int(value):
        return _check_epoch(value, value, field)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise InvalidInputError(field, value, _EPOCH_ALLOWED, hint="it is not a whole number of seconds")
        return _check_epoch(int(value), value, field)
    if isinstance(value, datetime.datetime):  # includes pendulum.DateTime
        return _check_epoch(_datetime_to_epoch(value), value, field)
    if isinstance(value, str):
        text = value.strip()
        if _INT_RE.fullmatch(text):
            return _check_epoch(int(text), value, field)
        if not text:
            raise InvalidInputError(field, value, _EPOCH_ALLOWED, hint="it is empty")
        return _check_epoch(_parse_iso(text, field), value, field)
    raise InvalidInputError(field, value, _EPOCH_ALLOWED, hint=f"got {type(value).__name__}")


def _to_interval(value: Any, frequency: str) -> int:
    minimum = MIN_MINUTE_INTERVAL if frequency == "minute" else 1
    allowed = f"must be a whole number >= {minimum} when frequency is '{frequency}'"
    number: int | None = None
    if _is_int(value):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):  # a rendered template, e.g. "15"
        number = int(value.strip())
    if number is None:
        hint = "it is required" if value is None else None
        raise InvalidInputError("interval", value, allowed, hint=hint)
    if number < minimum:
        raise InvalidInputError("interval", value, allowed)
    return number


def validate_failed_ratio(value: Any, field: str = "max_failed_ratio") -> float | None:
    """The share of failed records a run may have (failed / input records); unset = None (policy default)."""
    if value is None or value == "":
        return None
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        ratio = -1.0
    if not 0 <= ratio <= 1:
        raise InvalidInputError(field, value, "must be a number from 0 to 1 (failed / input records)")
    return ratio


def validate_bool(value: Any, field: str) -> bool:
    """A bool, or its text from a rendered template ("true", "False", "1"...)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InvalidInputError(field, value, "must be a boolean (true or false)")


def validate_schedule(
    frequency: Any,
    interval: Any = None,
    start_time: Any = None,
    backfill: Any = None,
    *,
    now: int | None = None,
) -> dict[str, Any]:
    """Return the Flow Service ``scheduleParams`` for a dataflow.

    Rules (flow spec ``scheduleSpec``): ``frequency`` is one of once, minute, hour, day, week;
    ``startTime`` is epoch seconds, sent as a string like the Stripe tutorial (``"1710267858"``) and
    defaulting to ``now``; with ``once`` there is no ``interval`` and no ``backfill``; otherwise
    ``interval`` is required, at least 15 for ``minute`` and at least 1 otherwise. ``backfill`` is sent
    only when given (the API defaults it to true).
    """
    freq = validate_choice(frequency, FREQUENCIES, "frequency")
    start = to_epoch_seconds(start_time) if start_time is not None else _now(now)
    params: dict[str, Any] = {"startTime": str(start), "frequency": freq}
    if freq == "once":
        not_allowed = "is not allowed with frequency 'once'; leave it unset"
        if interval is not None:
            raise InvalidInputError("interval", interval, not_allowed)
        if backfill is not None:
            raise InvalidInputError("backfill", backfill, not_allowed)
        return params
    params["interval"] = _to_interval(interval, freq)
    if backfill is not None:
        params["backfill"] = validate_bool(backfill, "backfill")
    return params


def _now(now: int | None) -> int:
    if now is None:
        return int(time.time())
    return to_epoch_seconds(now, "now")


# --------------------------------------------------------------------------------------------------
# Onboarding parameters (DAG params and building-block arguments, checked before the first request)
# --------------------------------------------------------------------------------------------------

#: Longest `name_prefix`: the longest name built from it (`<prefix> Stripe balance_transactions
#: target connection`, or a table path) must stay well within the 256 characters of `validate_name`.
MAX_NAME_PREFIX = 100
MAX_POLL_INTERVAL = 3600.0


def optional_value(value: Any) -> Any:
    """``None`` for an unset value, including its text from a rendered template (``"None"``, ``""``)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in _NULLISH | {""}):
        return None
    return value


def validate_resource_paths(value: Any, field: str = "resource_paths") -> list[str]:
    """A non-empty list of distinct Stripe resource paths."""
    allowed = f"must be a non-empty list of distinct resource paths, each one of {', '.join(RESOURCE_PATHS)}"
    if not isinstance(value, list | tuple) or not value:
        raise InvalidInputError(field, value, allowed)
    paths = [validate_resource_path(item, field) for item in value]
    duplicates = sorted({p for p in paths if paths.count(p) > 1})
    if duplicates:
        raise InvalidInputError(field, value, allowed, hint=f"{', '.join(duplicates)} listed twice")
    return paths


def validate_name_prefix(value: Any, field: str = "name_prefix") -> str:
    return validate_name(value, field, max_length=MAX_NAME_PREFIX)


def validate_table_path(value: Any, field: str = "table_path") -> str:
    """The path of a table of a table-based source (`params.path`, e.g. ``PayPal.Catalog_Products``)."""
    allowed = "must be a table path without whitespace (e.g. 'PayPal.Catalog_Products')"
    if not isinstance(value, str) or not value or any(ch.isspace() for ch in value):
        raise InvalidInputError(field, value, allowed)
    return validate_name(value, field)


def validate_poll_interval(value: Any, field: str = "poll_interval") -> float:
    """Seconds between run checks: a number greater than 0 and at most an hour."""
    allowed = f"must be a number of seconds greater than 0 and at most {MAX_POLL_INTERVAL:.0f}"
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or not 0 < number <= MAX_POLL_INTERVAL:
        raise InvalidInputError(field, value, allowed)
    return number


#: The settings every onboarding takes, with their defaults (those of its operators and factories).
ONBOARDING_SETTINGS: dict[str, Any] = {
    "frequency": "once",
    "interval": None,
    "start_time": None,
    "backfill": None,
    "class_id": "profile",
    "poll_interval": 30,
    "deferrable": False,
    "plan_only": False,
    "on_conflict": "fail",
    "on_schema_change": "fail",
}
ON_CONFLICT_ALLOWED: tuple[str, ...] = ("fail", "reuse", "update")
"""What a step does with a same-named resource that differs (`resources.get_or_create`); `update`
changes a dataflow in place, other kinds treat it as `fail`."""
ON_SCHEMA_CHANGE_ALLOWED: tuple[str, ...] = ("fail", "ignore", "extend")
"""What a run does when the source's fields changed (`resources.schema_drift`): `fail` stops with the
differences listed (the default); `ignore` keeps the existing shape and logs the new fields; `extend`
adds the new fields (field group PATCH, next mapping version, dataflow PATCH)."""


def validate_onboarding_params(
    *,
    resources: Any,
    name_prefix: Any,
    resource_field: str = "resource_path",
    tables: bool = False,
    now: int | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """Check everything the steps of an onboarding will need, before any of them sends a request.

    ``resources`` is one resource path (or table path when ``tables``), or a list of them when
    ``resource_field`` is plural (``resource_paths``); ``settings`` are those of
    :data:`ONBOARDING_SETTINGS` (frequency, interval, start_time, backfill, class_id, poll_interval,
    deferrable, plan_only, on_conflict, on_schema_change), defaulting as there. Returns the checked
    values, normalised.
    """
    unknown = sorted(set(settings) - set(ONBOARDING_SETTINGS))
    if unknown:
        raise TypeError(f"validate_onboarding_params() got unexpected settings: {', '.join(unknown)}")
    given = {**ONBOARDING_SETTINGS, **settings}
    if isinstance(resources, list | tuple):
        checked: Any = (
            [validate_table_path(r, resource_field) for r in resources]
            if tables
            else validate_resource_paths(resources, resource_field)
        )
    elif tables:
        checked = validate_table_path(resources, resource_field)
    else:
        checked = validate_resource_path(resources, resource_field)
    schedule = validate_schedule(
        given["frequency"],
        optional_value(given["interval"]),
        optional_value(given["start_time"]),
        optional_value(given["backfill"]),
        now=now,
    )
    return {
        resource_field: checked,
        "name_prefix": validate_name_prefix(name_prefix),
        "schedule": schedule,
        "class_id": validate_class_id(given["class_id"]),
        "poll_interval": validate_poll_interval(given["poll_interval"]),
        "deferrable": validate_bool(given["deferrable"], "deferrable"),
        "plan_only": validate_bool(given["plan_only"], "plan_only"),
        "on_conflict": validate_choice(given["on_conflict"], ON_CONFLICT_ALLOWED, "on_conflict"),
        "on_schema_change": validate_choice(
            given["on_schema_change"], ON_SCHEMA_CHANGE_ALLOWED, "on_schema_change"
        ),
    }


# --------------------------------------------------------------------------------------------------
# ExperienceEvent from a table: the columns `_id` and `timestamp` come from
# --------------------------------------------------------------------------------------------------

#: `timestamp_format` values for a numeric column; any other value is a date pattern for a string column.
TIMESTAMP_EPOCH_FORMATS: tuple[str, ...] = ("epoch_seconds", "epoch_milliseconds")
EVENT_COLUMN_FIELDS: tuple[str, ...] = ("id_column", "timestamp_column", "timestamp_format")
_TIMESTAMP_FORMAT_ALLOWED = (
    "must be epoch_seconds or epoch_milliseconds (a numeric column), or the date pattern of a string "
    "column in Data Prep's date-format letters, e.g. yyyy-MM-dd HH:mm:ss"
)
_EVENT_ALLOWED = {
    "id_column": "must be the name of the table column whose value becomes the event's _id",
    "timestamp_column": "must be the name of the table column whose value becomes the event's timestamp",
    "timestamp_format": _TIMESTAMP_FORMAT_ALLOWED,
}


def validate_timestamp_format(value: Any, field: str = "timestamp_format") -> str:
    """``epoch_seconds``, ``epoch_milliseconds`` or a date pattern (``yyyy-MM-dd HH:mm:ss``).

    A pattern is sent inside a double-quoted expression string, so it cannot contain ``"`` or ``\\``;
    it must name the year (``y``), month (``M``) and day (``d``) of the instant.
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(field, value, _TIMESTAMP_FORMAT_ALLOWED)
    text = value.strip()
    if text in TIMESTAMP_EPOCH_FORMATS:
        return text
    if '"' in text or "\\" in text or _has_control_chars(text):
        hint = "it contains a double quote, a backslash or a control character"
        raise InvalidInputError(field, value, _TIMESTAMP_FORMAT_ALLOWED, hint=hint)
    if not all(letter in text for letter in "yMd"):
        hint = "a date pattern needs the year (y), the month (M) and the day (d)"
        raise InvalidInputError(field, value, _TIMESTAMP_FORMAT_ALLOWED, hint=hint)
    return text


def validate_event_columns(
    *, class_id: Any, mappings: Any, id_column: Any, timestamp_column: Any, timestamp_format: Any
) -> dict[str, str]:
    """The columns a table source's ExperienceEvent ``_id`` and ``timestamp`` are mapped from.

    A table has no fixed ID or date column (Stripe's ``data.id``/``data.created``), so with the
    ExperienceEvent class and no user-given mappings, all three are required; with any other class, or
    with mappings (which then map ``_id`` and ``timestamp`` themselves), they must be unset. Returns
    them checked, or ``{}`` when they are not used.
    """
    klass = validate_class_id(class_id)
    given = {
        "id_column": optional_value(id_column),
        "timestamp_column": optional_value(timestamp_column),
        "timestamp_format": optional_value(timestamp_format),
    }
    if klass != EXPERIENCE_EVENT_CLASS_ID or optional_value(mappings) is not None:
        reason = (
            "it is used only with class_id experienceevent"
            if klass != EXPERIENCE_EVENT_CLASS_ID
            else "it is not used when mappings are given (map _id and timestamp in them)"
        )
        for name, value in given.items():
            if value is not None:
                raise InvalidInputError(name, value, "must be unset", hint=reason)
        return {}
    for name, value in given.items():
        if value is None:
            hint = "required with class_id experienceevent for a table source, unless mappings are given"
            raise InvalidInputError(name, value, _EVENT_ALLOWED[name], hint=hint)
    return {
        "id_column": validate_name(given["id_column"], "id_column"),
        "timestamp_column": validate_name(given["timestamp_column"], "timestamp_column"),
        "timestamp_format": validate_timestamp_format(given["timestamp_format"]),
    }


class ConnectionNeed(NamedTuple):
    """An Airflow connection a run will use: its ID, the type it must have (None: any) and the
    attributes (`host`, `login`, `password`, `extra.<key>`) that must be set."""

    conn_id: str
    conn_type: str | None = None
    fields: tuple[str, ...] = ()
    purpose: str = ""


def validate_connection(need: ConnectionNeed, conn: Any) -> None:
    """Refuse a connection the run needs that is missing (`conn` None), of another type or without a
    required field; the message names the connection and the field, never a value."""
    field = f"connection {need.conn_id}"
    purpose = f" ({need.purpose})" if need.purpose else ""
    if conn is None:
        raise InvalidInputError(field, None, f"must be defined{purpose}: this run uses it")
    conn_type = getattr(conn, "conn_type", None)
    if need.conn_type is not None and conn_type != need.conn_type:
        raise InvalidInputError(f"{field} conn_type", conn_type, f"must be {need.conn_type!r}{purpose}")
    extra = getattr(conn, "extra_dejson", None) or {}
    for attribute in need.fields:
        value = extra.get(attribute[6:]) if attribute.startswith("extra.") else getattr(conn, attribute, None)
        if value is None or str(value).strip() == "":
            raise InvalidInputError(f"{field} {attribute}", None, f"must be set{purpose}")
