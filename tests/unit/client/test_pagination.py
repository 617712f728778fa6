"""Paging and lookups: the continuation token goes back exactly as received; lookups by name filter
on the server where Flow Service documents the filter, and page in large pages where it does not."""

from __future__ import annotations

import pytest
from mock_platform import FLOWS, make_client

from airflow_provider_stripe_aep.client.flow_service import LOOKUP_PAGE_SIZE
from airflow_provider_stripe_aep.client.pagination import _continuation_token
from airflow_provider_stripe_aep.resources import platform


@pytest.mark.parametrize(
    "token",
    [
        "eyJvZmZzZXQiOiAyMH0",
        "eyJvZmZzZXQiOiAyMH0%3D",  # percent-encoded padding stays encoded
        "a+b/c%2Bd==",  # '+' is not turned into a space, '=' is not encoded
        "abc%20def",
    ],
)
def test_the_continuation_token_is_sent_back_exactly_as_received(requests_mock, token):
    route = requests_mock.get(
        f"{FLOWS}/flows",
        [
            {
                "json": {
                    "items": [{"id": "1"}],
                    "_links": {"next": {"href": f"/flows?continuationToken={token}"}},
                }
            },
            {"json": {"items": [{"id": "2"}], "_links": {}}},
        ],
    )
    ids = [f["id"] for f in make_client().flows.iter("flows", "state==enabled")]
    assert ids == ["1", "2"]
    second = route.request_history[1]
    query = second.url.split("?", 1)[1]
    assert f"continuationToken={token}" in query.split("&")
    assert second.qs["property"] == ["state==enabled"]  # the original query goes along
    assert query.count("continuationToken") == 1


@pytest.mark.parametrize(
    ("link", "token"),
    [
        ({"href": "/flows?continuationToken=t1"}, "t1"),
        ({"href": "/flows?limit=2&continuationToken=t%2B1&property=name%3D%3Dx"}, "t%2B1"),
        ({"href": "/flows?continuationToken="}, None),
        ({"href": "/flows"}, None),
        ({}, None),
        (None, None),
        ({"href": 42}, None),
    ],
)
def test_the_token_is_read_raw_from_the_next_link(link, token):
    assert _continuation_token(link) == token


def test_a_repeated_token_stops_the_paging(requests_mock):
    page = {"items": [{"id": "1"}], "_links": {"next": {"href": "/flows?continuationToken=same"}}}
    route = requests_mock.get(f"{FLOWS}/flows", json=page)
    assert len(list(make_client().flows.iter("flows"))) == 2
    assert route.call_count == 2


@pytest.mark.parametrize("resource", ["connections", "flows"])
def test_connections_and_flows_are_found_by_a_name_filter(requests_mock, resource):
    route = requests_mock.get(f"{FLOWS}/{resource}", json={"items": [{"id": "1", "name": "n 1"}]})
    assert make_client().flows.find_by_name(resource, "n 1") == {"id": "1", "name": "n 1"}
    assert route.last_request.qs["property"] == ["name==n 1"]
    assert "limit" not in route.last_request.qs


def test_target_connections_filter_on_the_documented_spec_and_page_large(requests_mock):
    route = requests_mock.get(
        f"{FLOWS}/targetConnections",
        [
            {
                "json": {
                    "items": [{"id": "1", "name": "other"}],
                    "_links": {"next": {"href": "/targetConnections?continuationToken=t2"}},
                }
            },
            {"json": {"items": [{"id": "2", "name": "wanted"}], "_links": {}}},
        ],
    )
    spec_filter = f"connectionSpec.id=={platform.DATA_LAKE_CONNECTION_SPEC_ID}"
    found = make_client().flows.find_by_name("targetConnections", "wanted", spec_filter)
    assert found == {"id": "2", "name": "wanted"}
    for request in route.request_history:
        assert request.qs["property"] == [spec_filter.lower()]
        assert request.qs["limit"] == [str(LOOKUP_PAGE_SIZE)]


def test_source_connections_are_matched_by_name_over_every_page(requests_mock):
    route = requests_mock.get(f"{FLOWS}/sourceConnections", json={"items": [{"id": "9", "name": "src"}]})
    assert make_client().flows.find_by_name("sourceConnections", "src") == {"id": "9", "name": "src"}
    assert "property" not in route.last_request.qs  # name is not a documented filter here
    assert route.last_request.qs["limit"] == [str(LOOKUP_PAGE_SIZE)]
