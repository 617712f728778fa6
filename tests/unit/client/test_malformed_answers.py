"""Malformed answers give one clear AEPError (or a bounded retry), never a KeyError or a
JSONDecodeError from deep inside, never a hang: a table of answers, mocked with requests-mock."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from mock_platform import ATTEMPTS, CATALOG, CONVERSION, FLOWS, SCHEMAS, make_client

from airflow_provider_stripe_aep.client import (
    AEPAmbiguousError,
    AEPClient,
    AEPError,
    AEPMalformedResponseError,
    AEPNotFoundError,
    AEPServerError,
)

HTML_502 = (
    "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1>"
    "</center>\n<hr><center>nginx</center>\n</body>\n</html>\n"
)


def get_connection(client: AEPClient) -> Any:
    return client.flows.get("connections", "c1")


def list_connections(client: AEPClient) -> Any:
    return list(client.flows.iter("connections"))


def create_connection(client: AEPClient) -> Any:
    return client.flows.create("connections", {"name": "n"})


# (case, method, url, answer, call, error type, text in the message, calls made)
CASES: list[tuple[str, str, str, dict[str, Any], Callable[[AEPClient], Any], type[AEPError], str, int]] = [
    (
        "GET not JSON",
        "GET",
        f"{FLOWS}/connections/c1",
        {"text": "oops"},
        get_connection,
        AEPMalformedResponseError,
        "not JSON ('oops')",
        ATTEMPTS,
    ),
    (
        "GET truncated JSON",
        "GET",
        f"{FLOWS}/connections/c1",
        {"text": '{"items": [{"id": "c1"'},
        get_connection,
        AEPMalformedResponseError,
        "not JSON",
        ATTEMPTS,
    ),
    (
        "GET empty body",
        "GET",
        f"{FLOWS}/connections/c1",
        {"text": ""},
        get_connection,
        AEPMalformedResponseError,
        "an empty body",
        ATTEMPTS,
    ),
    (
        "GET 200 HTML page",
        "GET",
        f"{FLOWS}/connections",
        {"text": HTML_502, "headers": {"Content-Type": "text/html"}},
        list_connections,
        AEPMalformedResponseError,
        "HTML page: '502 Bad Gateway'",
        ATTEMPTS,
    ),
    (
        "GET 502 HTML page",
        "GET",
        f"{FLOWS}/connections/c1",
        {"status_code": 502, "text": HTML_502},
        get_connection,
        AEPServerError,
        "HTTP 502: HTML page: '502 Bad Gateway'",
        ATTEMPTS,
    ),
    (
        "GET empty items",
        "GET",
        f"{FLOWS}/connections/c1",
        {"json": {"items": []}},
        get_connection,
        AEPNotFoundError,
        "answered with no item",
        1,
    ),
    (
        "GET neither items nor object",
        "GET",
        f"{FLOWS}/connections/c1",
        {"json": ["c1"]},
        get_connection,
        AEPMalformedResponseError,
        "neither items nor an object",
        1,
    ),
    (
        "list items not a list",
        "GET",
        f"{FLOWS}/connections",
        {"json": {"items": "c1"}},
        list_connections,
        AEPMalformedResponseError,
        "'items' that is not a list",
        1,
    ),
    (
        "list body not an object",
        "GET",
        f"{FLOWS}/connections",
        {"json": [1, 2]},
        list_connections,
        AEPMalformedResponseError,
        "without an object body",
        1,
    ),
    (
        "POST 502 HTML page",
        "POST",
        f"{FLOWS}/connections",
        {"status_code": 502, "text": HTML_502},
        create_connection,
        AEPAmbiguousError,
        "502 Bad Gateway",
        1,
    ),
    (
        "POST 201 without id",
        "POST",
        f"{FLOWS}/connections",
        {"status_code": 201, "json": {"etag": '"e"'}},
        create_connection,
        AEPAmbiguousError,
        "no 'id' in its body",
        1,
    ),
    (
        "POST 201 not JSON",
        "POST",
        f"{FLOWS}/connections",
        {"status_code": 201, "text": "created"},
        create_connection,
        AEPAmbiguousError,
        "not JSON",
        1,
    ),
    (
        "POST 201 truncated",
        "POST",
        f"{FLOWS}/connections",
        {"status_code": 201, "text": '{"id": "c'},
        create_connection,
        AEPAmbiguousError,
        "may have been carried out",
        1,
    ),
    (
        "POST dropped after sending",
        "POST",
        f"{FLOWS}/connections",
        {"exc": requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")},
        create_connection,
        AEPAmbiguousError,
        "ChunkedEncodingError after the request was sent",
        1,
    ),
    (
        "GET dropped",
        "GET",
        f"{FLOWS}/connections/c1",
        {"exc": requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead")},
        get_connection,
        AEPServerError,
        "gave up after 3 attempts",
        ATTEMPTS,
    ),
    (
        "field group 201 without $id",
        "POST",
        f"{SCHEMAS}/tenant/fieldgroups",
        {"status_code": 201, "json": {}},
        lambda c: c.schemas.create("fieldgroups", {"title": "t"}),
        AEPAmbiguousError,
        "no '$id'",
        1,
    ),
    (
        "tenant without tenantId",
        "GET",
        f"{SCHEMAS}/stats",
        {"json": {"counts": {}}},
        lambda c: c.schemas.tenant_id(),
        AEPMalformedResponseError,
        "no 'tenantId'",
        ATTEMPTS,
    ),
    (
        "dataset create without a reference",
        "POST",
        f"{CATALOG}/dataSets",
        {"status_code": 201, "json": []},
        lambda c: c.catalog.create_dataset({"name": "d"}),
        AEPAmbiguousError,
        "without a dataset reference",
        1,
    ),
    (
        "dataset create not JSON",
        "POST",
        f"{CATALOG}/dataSets",
        {"status_code": 201, "text": "<html></html>"},
        lambda c: c.catalog.create_dataset({"name": "d"}),
        AEPAmbiguousError,
        "HTML",
        1,
    ),
    (
        "mapping set 200 without id",
        "POST",
        f"{CONVERSION}/mappingSets",
        {"json": {"version": 0}},
        lambda c: c.data_prep.create_mapping_set({"mappings": []}),
        AEPAmbiguousError,
        "no 'id'",
        1,
    ),
    (
        "validate without validationResponse",
        "POST",
        f"{CONVERSION}/mappingSets/validate",
        {"json": {}},
        lambda c: c.data_prep.validate_mapping_set({"mappings": []}),
        AEPMalformedResponseError,
        "no 'validationResponse'",
        ATTEMPTS,
    ),
    (
        "catalog list not an object",
        "GET",
        f"{CATALOG}/dataSets",
        {"json": ["a"]},
        lambda c: c.catalog.find_dataset("d"),
        AEPMalformedResponseError,
        "not an object",
        1,
    ),
    (
        "data prep list not an object",
        "GET",
        f"{CONVERSION}/mappingSets",
        {"text": "null"},
        lambda c: c.data_prep.find_mapping_set("m"),
        AEPMalformedResponseError,
        "an empty body",
        ATTEMPTS,
    ),
]


@pytest.mark.parametrize(
    ("method", "url", "answer", "call", "error", "text", "calls"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_a_malformed_answer_gives_one_clear_error(
    requests_mock, method, url, answer, call, error, text, calls
):
    route = requests_mock.register_uri(method, url, **answer)
    with pytest.raises(error) as info:
        call(make_client())
    message = str(info.value)
    assert type(info.value) is error
    assert text in message
    assert "\n" not in message and "<html" not in message and len(message) < 1000
    assert route.call_count == calls


def test_an_html_error_page_is_retried_on_a_get_and_then_read(requests_mock):
    route = requests_mock.get(
        f"{FLOWS}/connections/c1",
        [{"status_code": 502, "text": HTML_502}, {"json": {"items": [{"id": "c1"}]}}],
    )
    assert make_client().flows.get("connections", "c1") == {"id": "c1"}
    assert route.call_count == 2


def test_an_empty_page_ends_a_list(requests_mock):
    requests_mock.get(f"{FLOWS}/connections", json={"items": [], "_links": {}})
    assert list(make_client().flows.iter("connections")) == []
    requests_mock.get(f"{FLOWS}/connections", json={"items": None})
    assert list(make_client().flows.iter("connections")) == []


def test_a_run_with_an_unknown_status_is_returned_as_it_is(requests_mock):
    """The client does not interpret statuses (runs.py does); it must not fail on a new one."""
    run = {"id": "r1", "metrics": {"statusSummary": {"status": "somethingNew"}}}
    requests_mock.get(f"{FLOWS}/runs", json={"items": [run]})
    assert make_client().flows.latest_run("f1") == run


def _http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


@pytest.mark.parametrize(
    ("retry_after", "low", "high"),
    [
        ("4", 4.0, 4.0),
        ("0.5", 0.5, 0.5),
        ("-3", 0.0, 0.0),
        ("3600", 5.0, 5.0),  # capped by max_retry_after
        (4.0, 2.0, 4.0),  # an HTTP date 4 s from now
        (-60.0, 0.0, 0.0),  # a date in the past: no wait
        ("Wed, 21 Oct 2015 07:28:00", 0.0, 0.0),  # a date without a zone is GMT
        ("soon", 0.0, 0.02),  # garbage: the usual backoff
        ("NaN", 0.0, 0.02),
        ("inf", 0.0, 0.02),
        ("Thu, 99 Foo 2026 25:61:00 GMT", 0.0, 0.02),
    ],
)
def test_retry_after_is_seconds_an_http_date_or_ignored(requests_mock, retry_after, low, high):
    sleeps: list[float] = []
    if isinstance(retry_after, float):
        retry_after = _http_date(retry_after)
    requests_mock.get(
        f"{FLOWS}/connections/c1",
        [{"status_code": 429, "headers": {"Retry-After": retry_after}}, {"json": {"items": [{"id": "c1"}]}}],
    )
    make_client(sleeps, max_retry_after=5).flows.get("connections", "c1")
    assert len(sleeps) == 1
    assert low <= sleeps[0] <= high
