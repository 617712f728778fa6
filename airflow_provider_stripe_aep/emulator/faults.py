"""Fault injection and the request log, as one pure ASGI middleware around /ims and /data paths."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode

from airflow_provider_stripe_aep.emulator.config import MIX, FaultRule
from airflow_provider_stripe_aep.emulator.state import EmulatorState

Scope = dict[str, Any]
Message = dict[str, Any]

FAULTED_PREFIXES = ("/ims/", "/data/")
SECRET_QUERY_KEYS = frozenset(
    {"client_secret", "access_token", "refresh_token", "code", "password", "accesstoken"}
)
LOG_LIMIT = 10000

ERROR_BODIES: dict[str, tuple[int, dict[str, Any]]] = {
    "429": (429, {"error_code": "429050", "message": "Too many requests. Please reduce the request rate."}),
    "503": (
        503,
        {
            "type": "https://ns.adobe.com/aep/errors/FLOW-1103-503",
            "title": "Service Unavailable",
            "status": 503,
            "report": {
                "detailed-message": "The service is temporarily unavailable. Please try again. "
                "If the problem "
                "persists, please contact customer support."
            },
            "errorMessage": "The service is temporarily unavailable. The request was not processed.",
            "errorDetails": "The service is temporarily unavailable. The request was not processed.",
        },
    ),
    "500": (
        500,
        {
            "type": "https://ns.adobe.com/aep/errors/FLOW-1102-500",
            "title": "Internal Error",
            "status": 500,
            "report": {
                "detailed-message": "An internal error has occurred. Please try again. "
                "If the problem persists, "
                "please contact customer support."
            },
            "errorMessage": "An internal error has occurred. Please try again.",
            "errorDetails": "An internal error has occurred. Please try again.",
        },
    ),
}


BAD_GATEWAY_HTML = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


class CommitDropped(Exception):
    """Raised after a partial response to make the server drop the connection."""


class _QuietCommitDrops(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, CommitDropped)


def install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietCommitDrops) for f in logger.filters):
        logger.addFilter(_QuietCommitDrops())


class FaultInjector:
    """Holds the rules; picks at most one rule per request (first match wins)."""

    def __init__(self, rules: list[FaultRule], seed: int) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._rng = random.Random(seed)  # noqa: S311 - deterministic test randomness, not crypto
        self.rules: list[FaultRule] = list(rules)

    def set_rules(self, rules: list[FaultRule], append: bool = False) -> None:
        with self._lock:
            self.rules = [*self.rules, *rules] if append else list(rules)

    def clear(self) -> None:
        with self._lock:
            self.rules = []
            self._rng.seed(self._seed)

    def choose_kind(self, rule: FaultRule) -> str:
        """The fault a selected rule injects: its kind, or for ``mix`` a seeded weighted draw."""
        if rule.kind != MIX:
            return rule.kind
        weights = rule.kinds if isinstance(rule.kinds, dict) else {}
        with self._lock:
            draw = self._rng.random() * sum(weights.values())
        for name, weight in weights.items():
            draw -= weight
            if draw < 0:
                return name
        return next(name for name, weight in weights.items() if weight > 0)

    def pick(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self.rules:
                if rule.methods and method not in rule.methods:
                    continue
                if rule.path_regex and not re.search(rule.path_regex, path):
                    continue
                if rule.times is not None and rule.times <= 0:
                    continue
                if rule.rate is not None and self._rng.random() >= rule.rate:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule
            return None


def _scrub_query(raw: bytes) -> str:
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    return urlencode([(k, "***" if k.lower() in SECRET_QUERY_KEYS else v) for k, v in pairs])


async def _send_json(send: Any, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    payload = json.dumps(body).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    for key, value in (headers or {}).items():
        raw_headers.append((key.lower().encode(), value.encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload, "more_body": False})


async def _send_raw(send: Any, status: int, payload: bytes, content_type: bytes) -> None:
    raw_headers = [(b"content-type", content_type), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload, "more_body": False})


async def _read_body(receive: Any) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _tolerant(send: Any) -> Any:
    """A send that ignores a client which is already gone."""

    async def tolerant_send(message: Message) -> None:
        try:
            await send(message)
        except OSError:
            pass

    return tolerant_send


async def _drain(receive: Any) -> None:
    """Read the request body we are not going to use, so the connection stays reusable."""
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


class EmulatorMiddleware:
    def __init__(self, app: Any, state: EmulatorState, injector: FaultInjector) -> None:
        self.app = app
        self.state = state
        self.injector = injector

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(FAULTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        entry: dict[str, Any] = {
            "method": method,
            "path": path,
            "query": _scrub_query(scope.get("query_string", b"")),
            "status": None,
            "fault": None,
        }
        with self.state.lock:
            self.state.request_log.append(entry)
            del self.state.request_log[:-LOG_LIMIT]
        rule = self.injector.pick(method, path)
        kind = self.injector.choose_kind(rule) if rule is not None else None
        entry["fault"] = kind

        if kind == "slow" and rule is not None:
            # Read the request first: a client that times out during the wait must not keep the
            # service from acting (a slow answer is an ambiguous one, as in AEP).
            request_body = await _read_body(receive)
            await asyncio.sleep(rule.delay)
            receive, send = _replay(request_body), _tolerant(send)
        if kind in ("429", "503", "500", "502") and rule is not None:
            if kind != "429" and rule.service_effect:
                await self._run_discarding(scope, receive)
            else:
                await _drain(receive)
            headers = {}
            if kind in ("429", "503") and rule.retry_after is not None:
                headers["Retry-After"] = f"{rule.retry_after:g}"
            if kind == "502":
                entry["status"] = 502
                await _send_raw(send, 502, BAD_GATEWAY_HTML, b"text/html")
                return
            status, body = ERROR_BODIES[kind]
            entry["status"] = status
            await _send_json(send, status, body, headers)
            return
        if kind == "commit_drop":
            await self._commit_then_drop(scope, receive, send, entry)
            return

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        await self.app(scope, receive, logging_send)

    async def _run_discarding(self, scope: Scope, receive: Any) -> list[Message]:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        return messages

    async def _commit_then_drop(self, scope: Scope, receive: Any, send: Any, entry: dict[str, Any]) -> None:
        messages = await self._run_discarding(scope, receive)
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        status = start["status"] if start else 500
        entry["status"] = status
        headers = [(k, v) for k, v in (start or {}).get("headers", []) if k.lower() != b"content-length"]
        promised = len(body) + 64
        headers.append((b"content-length", str(promised).encode()))
        wire_status = 200 if status in (204, 304) or status < 200 else status
        await send({"type": "http.response.start", "status": wire_status, "headers": headers})
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
        raise CommitDropped("connection dropped after the request was committed")
