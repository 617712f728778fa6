"""One exception hierarchy for every AEP failure, parsed from any of AEP's error body styles."""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

if TYPE_CHECKING:
    import requests


class AEPError(Exception):
    """An AEP API call failed. Carries what AEP said; the message is one readable line."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.request_id = request_id
        self.method = method
        self.path = path
        self.attempts = attempts
        super().__init__(message)

    def with_attempts(self, attempts: int) -> AEPError:
        """The same error, its message saying how many attempts were made."""
        self.attempts = attempts
        if attempts > 1:
            self.args = (f"{self.args[0]} (gave up after {attempts} attempts)",)
        return self


class AEPValidationError(AEPError):
    """400/422: AEP rejected the request as invalid."""


class AEPAuthError(AEPError):
    """401/403 from the platform, or a failed IMS token request."""


class AEPNotFoundError(AEPError):
    """404."""


class AEPConflictError(AEPError):
    """409/412: conflict or precondition failed (stale ETag, `FLOW-1404-412`)."""


class AEPThrottledError(AEPError):
    """429."""


class AEPServerError(AEPError):
    """5xx."""


class AEPMalformedResponseError(AEPServerError):
    """A 2xx answer that is not what the API documents (not JSON, truncated, a required field
    missing). Transient: a proxy or an overloaded service answers like this."""


class AEPAmbiguousError(AEPError):
    """A create was sent but its outcome is unknown (dropped connection, timeout, or a 5xx that may
    have acted). The resource may exist: look it up before sending the POST again.

    `timed_out` is true when no answer came in time: the service may still be working on it."""

    def __init__(self, message: str, *, timed_out: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.timed_out = timed_out


class AEPResourceConflictError(AEPError):
    """A resource with the requested name exists but differs from what was asked."""


def _status_class(status: int) -> type[AEPError]:
    if status == 429:
        return AEPThrottledError
    if status in (401, 403):
        return AEPAuthError
    if status == 404:
        return AEPNotFoundError
    if status in (409, 412):
        return AEPConflictError
    if status >= 500:
        return AEPServerError
    if status >= 400:
        return AEPValidationError
    return AEPError


def _code_from_type(type_uri: Any) -> str | None:
    if isinstance(type_uri, str) and "/errors/" in type_uri:
        return type_uri.rsplit("/", 1)[-1]
    return None


def _first_text(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def parse_error_body(body: Any) -> dict[str, str | None]:
    """Code, title, detail and request ID from a Flow Service, Schema Registry, gateway, IMS,
    Catalog or Data Prep error body (see the API reference §6.1)."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return {"code": None, "title": None, "detail": _first_text(body), "request_id": None}
    report: dict[str, Any] = body["report"] if isinstance(body.get("report"), dict) else {}
    code = _code_from_type(body.get("type")) or _first_text(
        body.get("error_code"), body.get("code"), body.get("error")
    )
    title = _first_text(body.get("title"))
    detail = _first_text(
        body.get("detail"),
        report.get("detailed-message"),
        body.get("errorMessage"),
        body.get("message"),
        body.get("error_description"),
        body.get("errorDetails"),
    )
    request_id = _first_text(report.get("request-id"), report.get("registryRequestId"), body.get("requestId"))
    return {"code": code, "title": title, "detail": detail, "request_id": request_id}


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
BODY_EXCERPT = 200


def describe_body(response: requests.Response) -> str:
    """A short, one-line description of a body that is not JSON: an HTML page's title (gateways
    answer 502/504 with HTML), or the start of the text."""
    text = response.content[:20_000].decode(response.encoding or "utf-8", errors="replace")
    content_type = response.headers.get("Content-Type", "")
    looks_html = "html" in content_type.lower() or text.lstrip()[:1] == "<"
    if looks_html:
        match = _TITLE.search(text)
        inner = match.group(1) if match else _TAG.sub(" ", text)
        words = " ".join(html.unescape(inner).split())
        return f"HTML page: {words[:BODY_EXCERPT]!r}" if words else "an HTML page"
    words = " ".join(text.split())
    if not words:
        return "an empty body"
    more = "..." if len(words) > BODY_EXCERPT else ""
    return f"{words[:BODY_EXCERPT]!r}{more}"


def error_from_response(response: requests.Response, *, service: str = "AEP") -> AEPError:
    """The AEPError subclass for a non-2xx response, whatever its body (JSON in any of AEP's
    styles, an HTML error page, truncated or empty)."""
    try:
        body: Any = json.loads(response.content) if response.content else None
    except ValueError:
        body = describe_body(response)
    parsed = parse_error_body(body)
    request_id = parsed["request_id"] or response.headers.get("x-request-id")
    method = response.request.method if response.request is not None else None
    path = urlparse(response.url).path if response.url else None
    parts = [f"{service} {method} {path} failed: HTTP {response.status_code}"]
    if parsed["code"]:
        parts.append(parsed["code"])
    text = " - ".join(p for p in (parsed["title"], parsed["detail"]) if p)
    message = " ".join(parts) + (f": {text}" if text else "")
    if request_id:
        message += f" [request-id {request_id}]"
    return _status_class(response.status_code)(
        message,
        status=response.status_code,
        code=parsed["code"],
        title=parsed["title"],
        detail=parsed["detail"],
        request_id=request_id,
        method=method,
        path=path,
    )
