"""Tests for airflow_provider_stripe_aep.validation: a table of bad inputs and the good forms."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pendulum
import pytest

from airflow_provider_stripe_aep import validation as v
from airflow_provider_stripe_aep.resources.platform import (
    EXPERIENCE_EVENT_CLASS_ID,
    FREQUENCIES,
    PROFILE_CLASS_ID,
)
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS

NOW = 1710267858  # the Stripe tutorial's startTime


def _schedule(**kwargs: Any) -> Callable[[], Any]:
    return lambda: v.validate_schedule(now=NOW, **kwargs)


# (id, call, expected field, fragments of the "allowed" text that the message must contain)
BAD_INPUTS: list[tuple[str, Callable[[], Any], str, tuple[str, ...]]] = [
    ("resource_path typo", lambda: v.validate_resource_path("chargez"), "resource_path", RESOURCE_PATHS),
    ("resource_path upper", lambda: v.validate_resource_path("Charges"), "resource_path", RESOURCE_PATHS),
    ("resource_path None", lambda: v.validate_resource_path(None), "resource_path", RESOURCE_PATHS),
    ("custom field name", lambda: v.validate_resource_path("x", field="path"), "path", RESOURCE_PATHS),
    ("choice", lambda: v.validate_choice("c", ["a", "b"], "mode"), "mode", ("a, b",)),
    ("frequency hourly", _schedule(frequency="hourly", interval=1), "frequency", FREQUENCIES),
    ("frequency None", _schedule(frequency=None), "frequency", FREQUENCIES),
    ("minute interval 14", _schedule(frequency="minute", interval=14), "interval", (">= 15", "minute")),
    ("minute interval '14'", _schedule(frequency="minute", interval="14"), "interval", (">= 15",)),
    ("interval with once", _schedule(frequency="once", interval=15), "interval", ("not allowed", "'once'")),
    ("backfill with once", _schedule(frequency="once", backfill=True), "backfill", ("not allowed", "'once'")),
    ("interval 0", _schedule(frequency="hour", interval=0), "interval", (">= 1", "hour")),
    ("interval negative", _schedule(frequency="week", interval=-1), "interval", (">= 1",)),
    ("bool interval", _schedule(frequency="day", interval=True), "interval", ("whole number",)),
    ("float 1.5 interval", _schedule(frequency="day", interval=1.5), "interval", ("whole number",)),
    ("missing interval day", _schedule(frequency="day"), "interval", ("whole number >= 1", "required")),
    ("interval text", _schedule(frequency="hour", interval="hourly"), "interval", ("whole number",)),
    ("backfill text", _schedule(frequency="hour", interval=1, backfill="maybe"), "backfill", ("boolean",)),
    ("ms timestamp", lambda: v.to_epoch_seconds(1710267858000), "start_time", ("epoch seconds", "millisec")),
    ("ms via schedule", _schedule(frequency="once", start_time="1710267858000"), "start_time", ("millisec",)),
    ("negative start", lambda: v.to_epoch_seconds(-1), "start_time", ("non-negative", "ISO-8601")),
    ("bad ISO string", lambda: v.to_epoch_seconds("2024-13-45T99:00"), "start_time", ("ISO-8601",)),
    ("time-only string", lambda: v.to_epoch_seconds("12:00"), "start_time", ("ISO-8601", "not a date-time")),
    ("bool start", lambda: v.to_epoch_seconds(True), "start_time", ("epoch seconds",)),
    ("list start", lambda: v.to_epoch_seconds([1]), "start_time", ("epoch seconds",)),
    ("fractional start", lambda: v.to_epoch_seconds(1.5), "start_time", ("epoch seconds",)),
    ("org_id no suffix", lambda: v.validate_org_id("ABC123"), "org_id", ("@AdobeOrg",)),
    ("org_id empty prefix", lambda: v.validate_org_id("@AdobeOrg"), "org_id", ("@AdobeOrg",)),
    ("org_id wrong case", lambda: v.validate_org_id("ABC@adobeorg"), "org_id", ("@AdobeOrg",)),
    (
        "uppercase sandbox",
        lambda: v.validate_sandbox("Prod"),
        "sandbox",
        ("lowercase letters", "all lowercase"),
    ),
    ("sandbox underscore", lambda: v.validate_sandbox("my_sb"), "sandbox", ("lowercase letters, digits",)),
    ("scopes with inner space", lambda: v.validate_scopes("openid,Adobe ID"), "scopes", ("comma-separated",)),
    ("scopes empty item", lambda: v.validate_scopes("openid,,AdobeID"), "scopes", ("empty items",)),
    ("empty name", lambda: v.validate_name("   ", "name"), "name", ("non-empty", "256")),
    ("name control char", lambda: v.validate_name("a\x00b", "name"), "name", ("control characters",)),
    ("name too long", lambda: v.validate_name("x" * 11, "title", max_length=10), "title", ("at most 10",)),
    ("name not str", lambda: v.validate_name(5, "name"), "name", ("non-empty string",)),
    ("None id", lambda: v.validate_id(None, "flow_id"), "flow_id", ("non-empty string", "XCom")),
    ("'None' id", lambda: v.validate_id("None", "flow_id"), "flow_id", ("non-empty string", "XCom")),
    ("empty id", lambda: v.validate_id("", "base_connection_id"), "base_connection_id", ("XCom",)),
    ("list id", lambda: v.validate_id(["a", "b"], "flow_id"), "flow_id", ("XCom",)),
    ("id with slash", lambda: v.validate_id("a/b", "flow_id"), "flow_id", ("'/'",)),
    ("id with space", lambda: v.validate_id("a b", "flow_id"), "flow_id", ("whitespace",)),
    ("bad class id", lambda: v.validate_class_id("record"), "class_id", ("'profile'", "'experienceevent'")),
    (
        "foreign class URI",
        lambda: v.validate_class_id("https://example.com/x"),
        "class_id",
        ("ns.adobe.com",),
    ),
    ("bad data format", lambda: v.validate_data_format("csv"), "data_format", ("json",)),
    ("bad URL scheme", lambda: v.validate_url("ftp://host", "host"), "host", ("http://", "https://")),
    ("URL without host", lambda: v.validate_url("https://", "ims_token_url"), "ims_token_url", ("host",)),
    ("URL not a URL", lambda: v.validate_url("platform.adobe.io", "host"), "host", ("http://",)),
]


@pytest.mark.parametrize(
    ("call", "field", "fragments"), [row[1:] for row in BAD_INPUTS], ids=[row[0] for row in BAD_INPUTS]
)
def test_bad_inputs_name_field_and_allowed(call: Callable[[], Any], field: str, fragments: tuple[str, ...]):
    with pytest.raises(v.InvalidInputError) as info:
        call()
    exc = info.value
    message = str(exc)
    assert isinstance(exc, ValueError)
    assert exc.field == field
    assert message.startswith(f"Invalid {field} ")
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert exc.allowed and exc.allowed in message


def test_table_is_large_enough():
    assert len(BAD_INPUTS) >= 25


def test_message_format_matches_contract():
    with pytest.raises(v.InvalidInputError) as info:
        v.validate_resource_path("chargez")
    assert str(info.value) == (
        "Invalid resource_path 'chargez': must be one of charges, subscriptions, refunds, "
        "balance_transactions, customers, prices."
    )
    assert info.value.value == "chargez"
    assert info.value.allowed == (
        "must be one of charges, subscriptions, refunds, balance_transactions, customers, prices"
    )


def test_secret_values_are_never_shown():
    secret = "sk_test_51Hsecretvalue"
    for call in (
        lambda: v.validate_name("", "password", secret=True),
        lambda: v.validate_id(secret + " x", "password", secret=True),
        lambda: v.validate_choice(secret, ["a"], "password", secret=True),
        lambda: v.validate_url(secret, "password", secret=True),
    ):
        with pytest.raises(v.InvalidInputError) as info:
            call()
        assert secret not in str(info.value)
        assert "***" in str(info.value)
        assert info.value.value == "***"
        assert secret not in repr(info.value.args)


def test_long_values_are_truncated_in_message():
    with pytest.raises(v.InvalidInputError) as info:
        v.validate_resource_path("x" * 1000)
    assert len(str(info.value)) < 400


# --------------------------------------------------------------------------------------------------
# Good inputs
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1710267858, 1710267858),
        ("1710267858", 1710267858),
        (" 1710267858 ", 1710267858),
        (1710267858.0, 1710267858),
        (0, 0),
        (datetime.datetime(2024, 3, 12, 18, 24, 18, tzinfo=datetime.timezone.utc), 1710267858),
        (datetime.datetime(2024, 3, 12, 18, 24, 18), 1710267858),  # naive = UTC
        (datetime.datetime(2024, 3, 12, 18, 24, 18, 999999), 1710267858),  # sub-second truncated
        (pendulum.datetime(2024, 3, 12, 18, 24, 18, tz="UTC"), 1710267858),
        (pendulum.datetime(2024, 3, 12, 19, 24, 18, tz="Europe/Paris"), 1710267858),
        ("2024-03-12T18:24:18Z", 1710267858),
        ("2024-03-12T18:24:18+00:00", 1710267858),
        ("2024-03-12T20:24:18+02:00", 1710267858),
        ("2024-03-12T18:24:18", 1710267858),  # no offset = UTC
        ("2024-03-12", 1710201600),  # a bare date = midnight UTC
    ],
)
def test_to_epoch_seconds_accepts(value: Any, expected: int):
    assert v.to_epoch_seconds(value) == expected


def test_to_epoch_seconds_ms_boundary():
    assert v.to_epoch_seconds(v.MAX_EPOCH_SECONDS) == v.MAX_EPOCH_SECONDS
    with pytest.raises(v.InvalidInputError, match="milliseconds"):
        v.to_epoch_seconds(v.MAX_EPOCH_SECONDS + 1)


def test_schedule_matches_seed():
    assert v.validate_schedule("minute", 15, start_time=1710267858) == {
        "startTime": "1710267858",
        "frequency": "minute",
        "interval": 15,
    }


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"frequency": "minute", "interval": "15"}, {"frequency": "minute", "interval": 15}),
        ({"frequency": "minute", "interval": " 30 "}, {"frequency": "minute", "interval": 30}),
        ({"frequency": "hour", "interval": 1}, {"frequency": "hour", "interval": 1}),
        ({"frequency": "day", "interval": 2.0}, {"frequency": "day", "interval": 2}),
        (
            {"frequency": "week", "interval": 1, "backfill": False},
            {"frequency": "week", "interval": 1, "backfill": False},
        ),
        (
            {"frequency": "day", "interval": 1, "backfill": "true"},
            {"frequency": "day", "interval": 1, "backfill": True},
        ),
        (
            {"frequency": "day", "interval": 1, "backfill": "False"},
            {"frequency": "day", "interval": 1, "backfill": False},
        ),
        ({"frequency": "once"}, {"frequency": "once"}),
    ],
)
def test_schedule_good(kwargs: dict[str, Any], expected: dict[str, Any]):
    result = v.validate_schedule(now=NOW, **kwargs)
    assert result == {"startTime": str(NOW), **expected}
    assert "backfill" in result or "backfill" not in kwargs  # backfill only when given


@pytest.mark.parametrize(
    "start",
    [
        pendulum.datetime(2024, 3, 12, 18, 24, 18, tz="UTC"),
        datetime.datetime(2024, 3, 12, 18, 24, 18, tzinfo=datetime.timezone.utc),
        "2024-03-12T18:24:18Z",
        "1710267858",
        1710267858,
    ],
)
def test_schedule_start_time_forms(start: Any):
    result = v.validate_schedule("once", start_time=start, now=0)
    assert result == {"startTime": "1710267858", "frequency": "once"}


def test_schedule_defaults_start_to_now():
    assert v.validate_schedule("once", now=1234)["startTime"] == "1234"
    before = int(pendulum.now("UTC").timestamp())
    start = int(v.validate_schedule("once")["startTime"])
    assert before <= start <= before + 5


def test_simple_validators_return_values():
    assert v.validate_resource_path("balance_transactions") == "balance_transactions"
    assert v.validate_choice("b", ("a", "b"), "mode") == "b"
    assert v.validate_name("  Stripe charges  ", "name") == "Stripe charges"
    assert (
        v.validate_id("f4aad280fdec4770b7e33066945919d8", "mapping_id") == "f4aad280fdec4770b7e33066945919d8"
    )
    schema_id = "https://ns.adobe.com/acme/schemas/abc"
    assert v.validate_id(schema_id, "schema_id", allow_slash=True) == schema_id
    assert v.validate_org_id("ABC123@AdobeOrg") == "ABC123@AdobeOrg"
    assert v.validate_sandbox("prod") == "prod"
    assert v.validate_sandbox("dev-2") == "dev-2"
    assert v.validate_scopes("openid,AdobeID,read_organizations") == "openid,AdobeID,read_organizations"
    assert v.validate_scopes(["openid", "AdobeID"]) == "openid,AdobeID"
    assert v.validate_url("https://platform.adobe.io", "host") == "https://platform.adobe.io"
    assert v.validate_url("http://127.0.0.1:8080/ims/token/v3", "ims_token_url").startswith("http://")
    assert v.validate_data_format("json") == "json"
    assert v.validate_data_format("tabular", allowed=("json", "tabular")) == "tabular"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("profile", PROFILE_CLASS_ID),
        ("experienceevent", EXPERIENCE_EVENT_CLASS_ID),
        ("ExperienceEvent", EXPERIENCE_EVENT_CLASS_ID),
        (PROFILE_CLASS_ID, PROFILE_CLASS_ID),
        (EXPERIENCE_EVENT_CLASS_ID, EXPERIENCE_EVENT_CLASS_ID),
        ("https://ns.adobe.com/acme/classes/abc123", "https://ns.adobe.com/acme/classes/abc123"),
    ],
)
def test_class_id(value: str, expected: str):
    assert v.validate_class_id(value) == expected


def test_class_id_rejects_bare_namespace():
    with pytest.raises(v.InvalidInputError) as info:
        v.validate_class_id("https://ns.adobe.com/")
    assert info.value.field == "class_id"


def test_a_connection_the_run_needs_is_checked_for_existence_type_and_fields():
    from types import SimpleNamespace

    from airflow_provider_stripe_aep.validation import ConnectionNeed, InvalidInputError, validate_connection

    need = ConnectionNeed("paypal_default", None, ("host", "login", "password"), "the PayPal credentials")
    with pytest.raises(InvalidInputError, match=r"paypal_default.*must be defined") as missing:
        validate_connection(need, None)
    assert missing.value.field == "connection paypal_default"
    conn = SimpleNamespace(conn_type="generic", host="h", login="l", password="", extra_dejson={})
    with pytest.raises(InvalidInputError) as no_password:
        validate_connection(need, conn)
    assert no_password.value.field == "connection paypal_default password"
    validate_connection(need, SimpleNamespace(**{**vars(conn), "password": "p"}))

    stripe = ConnectionNeed("stripe_default", "stripe", ("password",))
    with pytest.raises(InvalidInputError, match="must be 'stripe'") as wrong_type:
        validate_connection(stripe, SimpleNamespace(conn_type="http", password="sk_x", extra_dejson={}))
    assert wrong_type.value.field == "connection stripe_default conn_type"
    key = "sk_test_secret_value"
    with pytest.raises(InvalidInputError) as no_extra:
        validate_connection(
            ConnectionNeed("c", None, ("extra.token",)), SimpleNamespace(password=key, extra_dejson={})
        )
    assert key not in str(no_extra.value)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("", None), ("0.05", 0.05), (0, 0.0), (1, 1.0)]
)
def test_failed_ratio_reads_a_share_or_unset(value: object, expected: float | None) -> None:
    assert v.validate_failed_ratio(value) == expected


@pytest.mark.parametrize("value", [-0.1, 1.5, "lots", [0.1]])
def test_failed_ratio_outside_0_to_1_names_the_field(value: object) -> None:
    with pytest.raises(v.InvalidInputError, match=r"max_failed_ratio.*from 0 to 1"):
        v.validate_failed_ratio(value)
