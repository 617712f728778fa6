"""Generators over AEP's three list styles; callers may stop early."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from airflow_provider_stripe_aep.client.errors import AEPMalformedResponseError
from airflow_provider_stripe_aep.client.http import AEPHttpClient
from airflow_provider_stripe_aep.resources.platform import XED_ID_CONTENT_TYPE

MAX_PAGES = 10_000
"""A hard stop against a service that keeps returning the same next link."""


def equals_filter(field: str, value: str) -> list[tuple[str, str]]:
    """`property=<field>==<value>`, or no filter when the value holds a character that the list
    filters read as syntax (`,` means OR, `*` is a wildcard); callers then match the value exactly
    themselves, so a name like "Acme, Inc" is never mistaken for another resource or missed."""
    if any(ch in value for ch in ",*"):
        return []
    return [("property", f"{field}=={value}")]


def _params_list(params: dict[str, Any] | list[tuple[str, Any]] | None) -> list[tuple[str, Any]]:
    if params is None:
        return []
    return list(params.items()) if isinstance(params, dict) else list(params)


def _continuation_token(next_link: Any) -> str | None:
    """The `continuationToken` of a next link exactly as it appears there (still percent-encoded):
    it is sent back byte for byte, never decoded and re-encoded."""
    if not isinstance(next_link, dict):
        return None
    href = next_link.get("href")
    if not isinstance(href, str) or not href:
        return None
    for pair in urlparse(href).query.split("&"):
        key, sep, value = pair.partition("=")
        if sep and key == "continuationToken" and value:
            return value
    return None


def _list_of(body: Any, key: str, path: str) -> list[Any]:
    """`body[key]` of a list answer; a missing key means an empty page only when the answer is an
    object, anything else is a malformed answer."""
    if not isinstance(body, dict):
        raise AEPMalformedResponseError(
            f"AEP GET {path} answered a list without an object body: {body!r:.200}"
        )
    items = body.get(key, [])
    if items is None:
        return []
    if not isinstance(items, list):
        raise AEPMalformedResponseError(f"AEP GET {path} answered {key!r} that is not a list: {items!r:.200}")
    return [item for item in items if isinstance(item, dict)]


def iter_flow_service(
    http: AEPHttpClient, path: str, params: dict[str, Any] | list[tuple[str, Any]] | None = None
) -> Iterator[dict[str, Any]]:
    """Flow Service lists: `{"items": [...], "_links": {"next": {"href": "...continuationToken=..."}}}`.

    The next page is asked with the original query plus the token taken verbatim from the link
    (put in the path, so that requests does not encode it a second time)."""
    base = [(k, v) for k, v in _params_list(params) if k != "continuationToken"]
    page_path = path
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        body = http.request_json("GET", "flowservice", page_path, params=base)
        yield from _list_of(body, "items", path)
        token = _continuation_token((body.get("_links") or {}).get("next"))
        if not token or token in seen:
            return
        seen.add(token)
        page_path = f"{path}?continuationToken={token}"


def iter_schema_registry(
    http: AEPHttpClient,
    path: str,
    params: dict[str, Any] | list[tuple[str, Any]] | None = None,
    *,
    accept: str = XED_ID_CONTENT_TYPE,
    page_size: int = 300,
) -> Iterator[dict[str, Any]]:
    """Schema Registry lists: `{"results": [...], "_page": {"next": <start> | null}}`; paging needs
    `orderby`, so one is added when the caller gave none."""
    base = _params_list(params)
    if not any(k == "orderby" for k, _ in base):
        base.append(("orderby", "title"))
    if not any(k == "limit" for k, _ in base):
        base.append(("limit", page_size))
    query = base
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        body = http.request_json("GET", "schemaregistry", path, params=query, headers={"Accept": accept})
        yield from _list_of(body, "results", path)
        nxt = (body.get("_page") or {}).get("next")
        if nxt in (None, "") or str(nxt) in seen:
            return
        seen.add(str(nxt))
        query = [*base, ("start", nxt)]


def iter_catalog(
    http: AEPHttpClient,
    path: str,
    params: dict[str, Any] | list[tuple[str, Any]] | None = None,
    *,
    page_size: int = 100,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Catalog lists: objects keyed by ID, paged by `start` offset and `limit` (1-100)."""
    base = [(k, v) for k, v in _params_list(params) if k not in ("start", "limit")]
    start = 0
    for _ in range(MAX_PAGES):
        query = [*base, ("start", start), ("limit", page_size)]
        body = http.request_json("GET", "catalog", path, params=query)
        if not isinstance(body, dict):
            raise AEPMalformedResponseError(
                f"AEP GET {path} answered a list that is not an object: {body!r:.200}"
            )
        page = [(key, item) for key, item in body.items() if isinstance(item, dict)]
        yield from page
        if len(body) < page_size:
            return
        start += len(body)


def iter_data_prep(
    http: AEPHttpClient,
    path: str,
    params: dict[str, Any] | list[tuple[str, Any]] | None = None,
    *,
    page_size: int = 100,
) -> Iterator[dict[str, Any]]:
    """Data Prep lists: `{"data": [...], "_page": {...}}`; `limit` and `start` are both required."""
    base = [(k, v) for k, v in _params_list(params) if k not in ("start", "limit")]
    start = 0
    for _ in range(MAX_PAGES):
        query = [*base, ("limit", page_size), ("start", start)]
        body = http.request_json("GET", "conversion", path, params=query)
        items = _list_of(body, "data", path)
        yield from items
        if len(items) < page_size:
            return
        start += len(items)
