"""The async sender sends what the sync client describes, parses errors the same way and retries
within the same bounds (httpx.MockTransport as the server)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from airflow_provider_stripe_aep.client import (
    AEPClient,
    AEPClientConfig,
    AEPNotFoundError,
    AEPServerError,
    AEPThrottledError,
    RetryPolicy,
)
from airflow_provider_stripe_aep.client.async_http import AsyncAEPHttpClient, shared_client

BASE = "https://platform.example"
IMS = "https://ims.example/ims/token/v3"
RUNS = f"{BASE}/data/foundation/flowservice/runs"
RUN = {"id": "run-2", "flowId": "flow-1", "metrics": {"statusSummary": {"status": "inProgress"}}}


def make_client(**overrides: Any) -> AEPClient:
    cfg: dict[str, Any] = dict(
        client_id="client-id",
        client_secret="cs-value-123",
        org_id="ORG@AdobeOrg",
        base_url=BASE,
        ims_token_url=IMS,
        sandbox="dev1",
        retry=RetryPolicy(max_attempts=3, backoff_base=0.5, backoff_max=4),
    )
    cfg.update(overrides)
    return AEPClient(AEPClientConfig(**cfg))


@pytest.fixture
def ims(requests_mock):
    return requests_mock.post(IMS, json={"access_token": "tok-1", "expires_in": 86399})


def run_with(
    handler: Any, client: AEPClient | None = None, sleeps: list[float] | None = None
) -> tuple[Any, list[httpx.Request]]:
    """The newest of `runs("flow-1")` against `handler(request, n) -> httpx.Response`."""
    seen: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request, len(seen))

    async def sleep(seconds: float) -> None:
        (sleeps if sleeps is not None else []).append(seconds)

    async def main() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(respond)) as http:
            sender = AsyncAEPHttpClient((client or make_client()).http, client=http, sleep=sleep)
            runs = await sender.runs("flow-1")
            return runs[0] if runs else None

    return asyncio.run(main()), seen


def test_sends_the_request_the_sync_client_sends(requests_mock, ims):
    sync_runs = requests_mock.get(RUNS, json={"items": [RUN]})
    client = make_client()
    assert client.flows.latest_run("flow-1") == RUN
    sync_request = sync_runs.last_request

    result, seen = run_with(lambda request, n: httpx.Response(200, json={"items": [RUN]}), client)
    assert result == RUN
    (request,) = seen
    assert str(request.url) == sync_request.url
    for header in ("Authorization", "x-api-key", "x-gw-ims-org-id", "x-sandbox-name", "Accept"):
        assert request.headers[header] == sync_request.headers[header]
    assert request.headers["Authorization"] == "Bearer tok-1"
    assert ims.call_count == 1  # the token is shared with the sync client


def test_no_run_yet_is_none(ims):
    result, _ = run_with(lambda request, n: httpx.Response(200, json={"items": []}))
    assert result is None


def test_a_503_is_retried_with_backoff_then_answered(ims):
    sleeps: list[float] = []

    def handler(request: httpx.Request, n: int) -> httpx.Response:
        return (
            httpx.Response(503, json={"title": "Service Unavailable"})
            if n == 1
            else httpx.Response(200, json={"items": [RUN]})
        )

    result, seen = run_with(handler, sleeps=sleeps)
    assert result == RUN
    assert len(seen) == 2
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= 0.5


def test_retry_after_is_honoured(ims):
    sleeps: list[float] = []

    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if n == 1:
            return httpx.Response(429, headers={"Retry-After": "3"}, json={"message": "Too many requests"})
        return httpx.Response(200, json={"items": [RUN]})

    assert run_with(handler, sleeps=sleeps)[0] == RUN
    assert sleeps == [3.0]


def test_gives_up_after_the_policy_attempts_with_the_parsed_error(ims):
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        return httpx.Response(429, json={"error_code": "429050", "message": "Too many requests"})

    with pytest.raises(AEPThrottledError, match=r"429050.*gave up after 3 attempts") as info:
        run_with(handler)
    assert info.value.status == 429
    assert info.value.attempts == 3


def test_a_permanent_error_is_raised_at_once(ims):
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        body = {"type": "https://ns.adobe.com/aep/errors/FLOW-1404-404", "title": "Not found"}
        return httpx.Response(404, json=body, headers={"x-request-id": "req-9"})

    seen_count = []

    def counting(request: httpx.Request, n: int) -> httpx.Response:
        seen_count.append(n)
        return handler(request, n)

    with pytest.raises(
        AEPNotFoundError, match=r"GET /data/foundation/flowservice/runs.*FLOW-1404-404"
    ) as info:
        run_with(counting)
    assert info.value.code == "FLOW-1404-404"
    assert info.value.request_id == "req-9"
    assert seen_count == [1]


def test_transport_errors_are_retried_then_reported(ims):
    def handler(request: httpx.Request, n: int) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(AEPServerError, match=r"ConnectError.*gave up after 3 attempts"):
        run_with(handler)


def test_a_401_gets_one_new_token(requests_mock):
    ims = requests_mock.post(
        IMS,
        [
            {"json": {"access_token": "tok-old", "expires_in": 86399}},
            {"json": {"access_token": "tok-new", "expires_in": 86399}},
        ],
    )

    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer tok-old":
            return httpx.Response(401, json={"error_code": "401013", "message": "Oauth token is not valid"})
        return httpx.Response(200, json={"items": [RUN]})

    result, seen = run_with(handler)
    assert result == RUN
    assert [r.headers["Authorization"] for r in seen] == ["Bearer tok-old", "Bearer tok-new"]
    assert ims.call_count == 2


def test_one_shared_client_per_loop_and_tls_setting():
    async def main() -> tuple[bool, bool]:
        first, again, other = shared_client(True), shared_client(True), shared_client(False)
        await first.aclose()
        await other.aclose()
        return first is again, first is other

    assert asyncio.run(main()) == (True, False)


LISTINGS = {
    "one flow's runs": (lambda sender: sender.runs("flow-1"), "flowId==flow-1"),
    "the sandbox's runs since": (
        lambda sender: sender.runs_started_after(5),
        "metrics.durationSummary.startedAtUTC>5",
    ),
}


@pytest.mark.parametrize("listing", LISTINGS.values(), ids=LISTINGS.keys())
def test_runs_follow_the_next_link_to_every_page(ims, listing):
    """§2.10: `_links.next.href` carries the continuationToken; it is sent back verbatim with the
    original query, and the list ends when `next` is absent."""
    read, query = listing
    older = {**RUN, "id": "run-1"}

    def handler(request: httpx.Request, n: int) -> httpx.Response:
        if n == 1:
            next_href = "/runs?property=flowId%3D%3Dflow-1&continuationToken=tok%2Bpage%3D2"
            return httpx.Response(200, json={"items": [RUN], "_links": {"next": {"href": next_href}}})
        return httpx.Response(200, json={"items": [older], "_links": {}})

    seen: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request, len(seen))

    async def main() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(respond)) as http:
            return await read(AsyncAEPHttpClient(make_client().http, client=http))

    runs = asyncio.run(main())
    assert [r["id"] for r in runs] == ["run-2", "run-1"]
    assert len(seen) == 2
    second = seen[1].url
    assert b"continuationToken=tok%2Bpage%3D2" in second.query
    assert ("property", query) in second.params.multi_items()
    assert ("orderby", "-createdAt") in second.params.multi_items()
