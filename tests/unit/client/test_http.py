"""AEP client behaviour with a mocked transport (requests-mock): auth, headers, retries, errors, paging."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_stripe_aep.client import (
    AEPAmbiguousError,
    AEPAuthError,
    AEPClient,
    AEPClientConfig,
    AEPConflictError,
    AEPNotFoundError,
    AEPServerError,
    AEPValidationError,
    RetryPolicy,
)
from airflow_provider_stripe_aep.client.auth import TokenProvider

BASE = "https://platform.example"
IMS = "https://ims.example/ims/token/v3"
FLOWS = f"{BASE}/data/foundation/flowservice"
SECRET = "client-secret-value-123"


def make_client(sleeps: list[float] | None = None, **overrides) -> AEPClient:
    cfg = dict(
        client_id="client-id",
        client_secret=SECRET,
        org_id="ORG@AdobeOrg",
        base_url=BASE,
        ims_token_url=IMS,
        sandbox="dev1",
        scopes="openid,AdobeID",
        retry=RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.02),
    )
    cfg.update(overrides)
    recorded = sleeps if sleeps is not None else []
    return AEPClient(AEPClientConfig(**cfg), sleep=recorded.append)


@pytest.fixture
def ims(requests_mock):
    return requests_mock.post(
        IMS, json={"access_token": "tok-1", "token_type": "bearer", "expires_in": 86399}
    )


def test_token_is_minted_once_and_sent_with_every_header(requests_mock, ims):
    requests_mock.get(f"{FLOWS}/connections/abc", json={"items": [{"id": "abc"}]})
    requests_mock.post(f"{FLOWS}/connections", status_code=201, json={"id": "new", "etag": '"e1"'})
    client = make_client()
    assert client.flows.get("connections", "abc") == {"id": "abc"}
    assert client.flows.create("connections", {"name": "x"})["id"] == "new"
    assert ims.call_count == 1
    form = dict(pair.split("=") for pair in ims.last_request.text.split("&"))
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == "client-id"
    assert form["scope"] == "openid%2CAdobeID"
    get_req, post_req = requests_mock.request_history[1:]
    for req in (get_req, post_req):
        assert req.headers["Authorization"] == "Bearer tok-1"
        assert req.headers["x-api-key"] == "client-id"
        assert req.headers["x-gw-ims-org-id"] == "ORG@AdobeOrg"
        assert req.headers["x-sandbox-name"] == "dev1"
        assert req.timeout is not None
    assert "Content-Type" not in get_req.headers
    assert post_req.headers["Content-Type"] == "application/json"


def test_every_request_has_a_timeout(requests_mock, ims):
    requests_mock.get(f"{FLOWS}/runs", json={"items": []})
    make_client().flows.latest_run("f1")
    assert all(req.timeout for req in requests_mock.request_history)


def test_token_is_renewed_before_it_expires(requests_mock):
    ims = requests_mock.post(IMS, json={"access_token": "t", "expires_in": 1000})
    now = [0.0]
    session = requests.Session()
    provider = TokenProvider(
        AEPClientConfig(client_id="c", client_secret="s", org_id="O@AdobeOrg", ims_token_url=IMS),
        lambda url, form: session.post(url, data=form, timeout=5),
        clock=lambda: now[0],
    )
    provider.token()
    now[0] = 600  # 1000 s token, 300 s margin: still valid
    provider.token()
    assert ims.call_count == 1
    now[0] = 701
    provider.token()
    assert ims.call_count == 2


def test_ready_made_access_token_skips_ims(requests_mock):
    ims = requests_mock.post(IMS, json={})
    requests_mock.get(f"{FLOWS}/connections/abc", json={"items": [{"id": "abc"}]})
    client = make_client(client_secret=None, access_token="given-token")
    client.flows.get("connections", "abc")
    assert ims.call_count == 0
    assert requests_mock.last_request.headers["Authorization"] == "Bearer given-token"


def test_401_mints_a_new_token_once_and_repeats_the_call(requests_mock):
    ims = requests_mock.post(
        IMS,
        [
            {"json": {"access_token": "old", "expires_in": 86399}},
            {"json": {"access_token": "new", "expires_in": 86399}},
        ],
    )
    requests_mock.get(
        f"{FLOWS}/connections/abc",
        [
            {"status_code": 401, "json": {"error_code": "401013", "message": "Oauth token is not valid"}},
            {"json": {"items": [{"id": "abc"}]}},
        ],
    )
    assert make_client().flows.get("connections", "abc") == {"id": "abc"}
    assert ims.call_count == 2
    assert requests_mock.last_request.headers["Authorization"] == "Bearer new"


def test_a_second_401_is_an_auth_error(requests_mock, ims):
    requests_mock.get(
        f"{FLOWS}/connections/abc",
        status_code=401,
        json={"error_code": "401013", "message": "Oauth token is not valid"},
    )
    with pytest.raises(AEPAuthError, match="401013") as info:
        make_client().flows.get("connections", "abc")
    assert info.value.status == 401
    assert ims.call_count == 2


def test_ims_rejection_names_the_connection_and_fields_not_the_secret(requests_mock):
    requests_mock.post(
        IMS,
        status_code=400,
        json={"error": "invalid_client", "error_description": "invalid client_secret parameter"},
    )
    requests_mock.get(f"{FLOWS}/connections/abc", json={})
    with pytest.raises(AEPAuthError) as info:
        make_client(name="aep_prod").flows.get("connections", "abc")
    message = str(info.value)
    assert "aep_prod" in message and "invalid_client" in message and "client secret (password)" in message
    assert SECRET not in message


@pytest.mark.parametrize(
    ("status", "body", "exc_type", "code", "request_id"),
    [
        (
            404,
            {
                "type": "https://ns.adobe.com/aep/errors/FLOW-1439-404",
                "title": "Resource not found",
                "status": 404,
                "report": {"detailed-message": "no flow", "request-id": "req-1"},
            },
            AEPNotFoundError,
            "FLOW-1439-404",
            "req-1",
        ),
        (
            412,
            {
                "type": "https://ns.adobe.com/aep/errors/FLOW-1404-412",
                "title": "Version not matching",
                "report": {},
            },
            AEPConflictError,
            "FLOW-1404-412",
            None,
        ),
        (
            404,
            {
                "type": "http://ns.adobe.com/aep/errors/XDM-1012-404",
                "title": "Resource Not Found",
                "report": {"registryRequestId": "reg-9", "detailed-message": "schema missing"},
                "detail": "schema missing",
            },
            AEPNotFoundError,
            "XDM-1012-404",
            "reg-9",
        ),
        (403, {"error_code": "403003", "message": "Api Key is invalid"}, AEPAuthError, "403003", None),
        (
            400,
            {"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError", "detail": "bad"},
            AEPValidationError,
            None,
            None,
        ),
    ],
)
def test_error_bodies_become_one_exception_type(requests_mock, ims, status, body, exc_type, code, request_id):
    requests_mock.get(f"{FLOWS}/flows/f1", status_code=status, json=body)
    with pytest.raises(exc_type) as info:
        make_client(access_token="t").flows.get("flows", "f1")
    err = info.value
    assert err.status == status
    assert err.code == code
    assert err.request_id == request_id
    assert "\n" not in str(err)
    assert f"HTTP {status}" in str(err)


def test_429_waits_for_retry_after_and_retries_a_post(requests_mock, ims):
    sleeps: list[float] = []
    route = requests_mock.post(
        f"{FLOWS}/connections",
        [
            {"status_code": 429, "headers": {"Retry-After": "7"}, "json": {"message": "slow down"}},
            {"status_code": 201, "json": {"id": "c1", "etag": '"e"'}},
        ],
    )
    assert make_client(sleeps).flows.create("connections", {"name": "n"})["id"] == "c1"
    assert route.call_count == 2
    assert sleeps == [7.0]


def test_retry_after_is_capped(requests_mock, ims):
    sleeps: list[float] = []
    requests_mock.get(
        f"{FLOWS}/flows/f1",
        [{"status_code": 429, "headers": {"Retry-After": "3600"}}, {"json": {"items": [{"id": "f1"}]}}],
    )
    make_client(sleeps, retry=RetryPolicy(max_attempts=3, max_retry_after=5)).flows.get("flows", "f1")
    assert sleeps == [5.0]


def test_get_is_retried_on_5xx_with_bounded_backoff(requests_mock, ims):
    sleeps: list[float] = []
    route = requests_mock.get(
        f"{FLOWS}/flows/f1", [{"status_code": 502}, {"status_code": 504}, {"json": {"items": [{"id": "f1"}]}}]
    )
    assert make_client(sleeps).flows.get("flows", "f1")["id"] == "f1"
    assert route.call_count == 3
    assert len(sleeps) == 2 and all(0 <= s <= 0.02 for s in sleeps)


def test_exhausted_retries_say_how_many_attempts_and_the_last_error(requests_mock, ims):
    requests_mock.get(
        f"{FLOWS}/flows/f1",
        status_code=503,
        json={
            "type": "https://ns.adobe.com/aep/errors/FLOW-1103-503",
            "title": "Service unavailable",
            "report": {"request-id": "req-last"},
        },
    )
    with pytest.raises(AEPServerError) as info:
        make_client().flows.get("flows", "f1")
    message = str(info.value)
    assert "gave up after 3 attempts" in message
    assert "HTTP 503" in message and "FLOW-1103-503" in message and "req-last" in message
    assert info.value.attempts == 3


def test_a_post_answered_500_is_ambiguous_and_not_resent(requests_mock, ims):
    route = requests_mock.post(f"{FLOWS}/flows", status_code=500, json={"title": "Internal"})
    with pytest.raises(AEPAmbiguousError, match="look the resource up"):
        make_client().flows.create("flows", {"name": "f"})
    assert route.call_count == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_post_answered_5xx_is_ambiguous_and_not_resent(requests_mock, ims, status):
    """A gateway's 503 can come after the service acted: only 429 proves nothing was done."""
    route = requests_mock.post(
        f"{FLOWS}/flows", [{"status_code": status}, {"status_code": 201, "json": {"id": "f1", "etag": '"e"'}}]
    )
    with pytest.raises(AEPAmbiguousError, match=f"HTTP {status}"):
        make_client().flows.create("flows", {"name": "f"})
    assert route.call_count == 1


def test_a_dropped_connection_after_a_post_is_ambiguous(requests_mock, ims):
    route = requests_mock.post(f"{FLOWS}/flows", exc=requests.exceptions.ChunkedEncodingError("dropped"))
    with pytest.raises(AEPAmbiguousError):
        make_client().flows.create("flows", {"name": "f"})
    assert route.call_count == 1


def test_a_read_timeout_on_a_get_is_retried(requests_mock, ims):
    route = requests_mock.get(
        f"{FLOWS}/flows/f1", [{"exc": requests.exceptions.ReadTimeout}, {"json": {"items": [{"id": "f1"}]}}]
    )
    assert make_client().flows.get("flows", "f1")["id"] == "f1"
    assert route.call_count == 2


def test_flow_service_pages_are_followed_and_can_stop_early(requests_mock, ims):
    route = requests_mock.get(
        f"{FLOWS}/flows",
        [
            {
                "json": {
                    "items": [{"id": "1"}, {"id": "2"}],
                    "_links": {"next": {"href": "/flows?continuationToken=p2"}},
                }
            },
            {"json": {"items": [{"id": "3"}], "_links": {"next": {"href": "/flows?continuationToken=p3"}}}},
            {"json": {"items": [{"id": "4"}], "_links": {}}},
        ],
    )
    client = make_client()
    assert [f["id"] for f in client.flows.iter("flows", "state==enabled")] == ["1", "2", "3", "4"]
    assert route.call_count == 3
    second, third = route.request_history[1:3]
    assert second.qs["continuationtoken"] == ["p2"] and second.qs["property"] == ["state==enabled"]
    assert third.qs["continuationtoken"] == ["p3"]
    next(iter(client.flows.iter("flows")))  # the caller stops after the first item
    assert route.call_count == 4  # so only one more page was read


def test_schema_registry_pages_by_start(requests_mock, ims):
    url = f"{BASE}/data/foundation/schemaregistry/tenant/schemas"
    route = requests_mock.get(
        url,
        [
            {"json": {"results": [{"title": "a"}], "_page": {"orderby": "title", "next": "a", "count": 1}}},
            {"json": {"results": [{"title": "b"}], "_page": {"orderby": "title", "next": None, "count": 1}}},
        ],
    )
    from airflow_provider_stripe_aep.client.pagination import iter_schema_registry

    titles = [r["title"] for r in iter_schema_registry(make_client().http, "/tenant/schemas")]
    assert titles == ["a", "b"]
    assert route.request_history[0].headers["Accept"] == "application/vnd.adobe.xed-id+json"
    assert route.request_history[0].qs["orderby"] == ["title"]
    assert route.request_history[1].qs["start"] == ["a"]


def test_catalog_pages_by_offset_and_keys_by_id(requests_mock, ims):
    from airflow_provider_stripe_aep.client.pagination import iter_catalog

    url = f"{BASE}/data/foundation/catalog/dataSets"
    route = requests_mock.get(
        url, [{"json": {"a": {"name": "A"}, "b": {"name": "B"}}}, {"json": {"c": {"name": "C"}}}]
    )
    ids = [ds_id for ds_id, _ in iter_catalog(make_client().http, "/dataSets", page_size=2)]
    assert ids == ["a", "b", "c"]
    assert route.request_history[1].qs["start"] == ["2"] and route.request_history[1].qs["limit"] == ["2"]


def test_explore_sends_base64_source_params(requests_mock, ims):
    route = requests_mock.get(f"{FLOWS}/connections/base/explore", json={"format": "hierarchical"})
    make_client().flows.explore("base", "charges")
    assert "sourceParams=eyJyZXNvdXJjZVBhdGgiOiJjaGFyZ2VzIn0%3D" in route.last_request.url
    assert route.last_request.qs["objecttype"] == ["rest"]
    assert route.last_request.qs["filetype"] == ["json"]


def test_catalog_create_returns_the_dataset_id(requests_mock, ims):
    route = requests_mock.post(
        f"{BASE}/data/foundation/catalog/dataSets",
        status_code=201,
        json=["@/dataSets/5c8c3c555033b814b69f947f"],
    )
    assert make_client().catalog.create_dataset({"name": "d"}) == "5c8c3c555033b814b69f947f"
    assert route.last_request.qs["requestdatasource"] == ["true"]


def test_repr_never_shows_secrets():
    client = make_client(access_token="tok-secret-xyz")
    text = repr(client) + repr(client.http.config)
    assert SECRET not in text and "tok-secret-xyz" not in text


def test_clients_with_the_same_credential_share_one_token(requests_mock, ims):
    requests_mock.get(f"{FLOWS}/connections/abc", json={"items": [{"id": "abc"}]})
    make_client().flows.get("connections", "abc")
    make_client().flows.get("connections", "abc")
    assert ims.call_count == 1
    make_client(client_secret="another-secret").flows.get("connections", "abc")
    assert ims.call_count == 2


def test_a_refused_token_is_dropped_for_every_client(requests_mock):
    ims = requests_mock.post(
        IMS,
        [
            {"json": {"access_token": "old", "expires_in": 86399}},
            {"json": {"access_token": "new", "expires_in": 86399}},
        ],
    )
    requests_mock.get(f"{FLOWS}/connections/abc", json={"items": [{"id": "abc"}]})
    first, second = make_client(), make_client()
    first.flows.get("connections", "abc")
    requests_mock.get(
        f"{FLOWS}/connections/abc",
        [{"status_code": 401, "json": {"error_code": "401013"}}, {"json": {"items": [{"id": "abc"}]}}],
    )
    second.flows.get("connections", "abc")
    assert ims.call_count == 2
    requests_mock.get(f"{FLOWS}/connections/abc", json={"items": [{"id": "abc"}]})
    first.flows.get("connections", "abc")
    assert requests_mock.last_request.headers["Authorization"] == "Bearer new"
    assert ims.call_count == 2


def test_a_name_with_filter_syntax_is_matched_exactly_without_a_server_filter(requests_mock, ims):
    route = requests_mock.get(
        f"{FLOWS}/connections",
        [
            {
                "json": {
                    "items": [{"id": "1", "name": "Acme"}],
                    "_links": {"next": {"href": "/c?continuationToken=t"}},
                }
            },
            {"json": {"items": [{"id": "2", "name": "Acme, Inc base"}], "_links": {}}},
        ],
    )
    found = make_client().flows.find_by_name("connections", "Acme, Inc base")
    assert found == {"id": "2", "name": "Acme, Inc base"}
    assert "property" not in route.request_history[0].qs


def test_a_plain_name_is_filtered_on_the_server(requests_mock, ims):
    route = requests_mock.get(f"{FLOWS}/connections", json={"items": [{"id": "7", "name": "Acme base"}]})
    assert make_client().flows.find_by_name("connections", "Acme base")["id"] == "7"
    assert route.last_request.qs["property"] == ["name==acme base"]
