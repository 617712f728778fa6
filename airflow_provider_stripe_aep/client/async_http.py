"""The async sender, for triggers: the requests `AEPHttpClient.prepare` describes, sent with
`httpx.AsyncClient` on the event loop (no thread per poll), with the same error parsing and a bounded
retry policy. It only reads (GET): the trigger only polls.

One `httpx.AsyncClient` per event loop and TLS setting is shared by every sender on that loop, so a
triggerer with a thousand waiting runs holds one connection pool, not a thousand.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

import httpx

from airflow_provider_stripe_aep.client.errors import (
    AEPError,
    AEPNotFoundError,
    AEPServerError,
    error_from_response,
)
from airflow_provider_stripe_aep.client.http import (
    RETRY_STATUSES,
    AEPHttpClient,
    _Call,
    _retry_after_seconds,
    backoff_seconds,
)
from airflow_provider_stripe_aep.client.pagination import MAX_PAGES, _continuation_token, _list_of

log = logging.getLogger(__name__)

_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[bool | str, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)
POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=50)


def shared_client(verify: bool | str) -> httpx.AsyncClient:
    """The running loop's client for this TLS setting (built on first use)."""
    per_loop = _CLIENTS.setdefault(asyncio.get_running_loop(), {})
    client = per_loop.get(verify)
    if client is None or client.is_closed:
        client = per_loop[verify] = httpx.AsyncClient(verify=verify, limits=POOL_LIMITS)
    return client


class _ResponseView:
    """What `error_from_response` reads of a response, from an httpx one."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.url = str(response.url)
        self.request = response.request
        self.text = response.text
        self.content = response.content
        self.encoding = response.encoding

    def json(self) -> Any:
        return self._response.json()


@dataclass(frozen=True)
class _Failure:
    error: AEPError
    retry_after: float | None = None


class AsyncAEPHttpClient:
    """Reads from AEP without blocking the event loop.

    :param http: the sync client whose config, token provider and request description are used.
    :param client: an `httpx.AsyncClient` to send with (tests); default the loop's shared one.
    :param sleep: how to wait between attempts (tests).
    """

    def __init__(
        self,
        http: AEPHttpClient,
        *,
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.http = http
        self._client = client
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"AsyncAEPHttpClient({self.http!r})"

    async def _token(self) -> str:
        # Usually a dict lookup; minting talks to IMS with the blocking client, so keep it off the loop.
        return await asyncio.to_thread(self.http.tokens.token)

    async def get(
        self,
        service: str,
        path: str,
        *,
        params: list[tuple[str, Any]] | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """One GET, retried on 429/5xx and transport errors within the connection's retry policy;
        a 401 gets one new token. Returns the 2xx response or raises an AEPError."""
        call = _Call("GET", self.http.url(service, path), params=params, headers=headers, repeatable=True)
        policy = self.http.config.retry
        deadline = time.monotonic() + policy.total_timeout
        client = self._client or shared_client(self.http.config.verify)
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            outcome = await self._attempt(client, call)
            if isinstance(outcome, httpx.Response):
                return outcome
            error = outcome.error
            if error.status == 401 and self.http.tokens.can_refresh and not refreshed:
                log.info(
                    "AEP answered 401 for GET %s; getting a new IMS token and trying once more", call.path
                )
                self.http.tokens.invalidate()
                refreshed = True
                attempt -= 1
                continue
            if error.status is not None and error.status not in RETRY_STATUSES:
                raise error
            if attempt >= policy.max_attempts or time.monotonic() >= deadline:
                raise error.with_attempts(attempt)
            delay = backoff_seconds(policy, attempt, outcome.retry_after)
            log.warning("AEP call failed (attempt %d): %s; retrying in %.1f s", attempt, error, delay)
            await self._sleep(delay)

    async def _attempt(self, client: httpx.AsyncClient, call: _Call) -> httpx.Response | _Failure:
        """The 2xx response, or what failed and how long the server asked us to wait."""
        prepared = self.http.prepare(call, await self._token())
        connect_timeout, read_timeout = prepared["timeout"]
        try:
            response = await client.request(
                prepared["method"],
                prepared["url"],
                params=prepared["params"],
                headers=prepared["headers"],
                timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            )
        except httpx.TransportError as exc:
            description = f"{call.method} {call.path} failed: {type(exc).__name__}"
            return _Failure(AEPServerError(description, method=call.method, path=call.path))
        if response.is_success:
            return response
        error = error_from_response(cast(Any, _ResponseView(response)))
        return _Failure(error, _retry_after_seconds(cast(Any, response)))

    # Reads the trigger needs --------------------------------------------------------------------
    async def _pages(self, base: list[tuple[str, Any]]) -> AsyncIterator[list[dict[str, Any]]]:
        """`GET /runs` with the query `base`, page by page (the requests `FlowServiceAPI` sends): the
        next page is asked with the original query plus the `continuationToken` taken verbatim from
        `_links.next.href` (reference §2.10). Callers stop early when they have what they need."""
        path = "/runs"
        page_path: str = path
        params: list[tuple[str, Any]] | None = list(base)
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = (await self.get("flowservice", page_path, params=params)).json()
            yield [dict(item) for item in _list_of(body, "items", path)]
            token = _continuation_token((body.get("_links") or {}).get("next"))
            if not token or token in seen:
                return
            seen.add(token)
            # httpx replaces a URL's query with `params`: the whole query goes in the URL instead.
            page_path, params = f"{path}?{urlencode(base)}&continuationToken={token}", None

    def run_pages(self, flow_id: str) -> AsyncIterator[list[dict[str, Any]]]:
        """The flow's runs page by page, newest first (as `FlowServiceAPI.iter_runs`)."""
        return self._pages([("property", f"flowId=={flow_id}"), ("orderby", "-createdAt")])

    async def runs(self, flow_id: str) -> list[dict[str, Any]]:
        """All the flow's runs, newest first, every page."""
        return [run async for page in self.run_pages(flow_id) for run in page]

    async def run(self, run_id: str) -> dict[str, Any] | None:
        """`GET /runs/{id}` (answered as `{"items": [run]}`), or None when AEP does not know it yet."""
        try:
            response = await self.get("flowservice", f"/runs/{run_id}")
        except AEPNotFoundError:
            return None
        body = response.json() or {}
        items = body.get("items") if isinstance(body, dict) else None
        if isinstance(items, list):
            return dict(items[0]) if items and isinstance(items[0], dict) else None
        return dict(body) if isinstance(body, dict) and body.get("id") else None

    async def runs_started_after(self, started_after_ms: int) -> list[dict[str, Any]]:
        """Every run of the sandbox (all flows) that started after `started_after_ms`, newest first,
        every page (reference §2.8 filter, §2.10 paging)."""
        base = [
            ("property", f"metrics.durationSummary.startedAtUTC>{int(started_after_ms)}"),
            ("orderby", "-createdAt"),
        ]
        return [run async for page in self._pages(base) for run in page]


__all__ = ["AsyncAEPHttpClient", "shared_client"]
