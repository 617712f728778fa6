"""Flow Service list semantics (reference §2.10): property filters, orderby, limit, paging, count."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from airflow_provider_stripe_aep.emulator.errors import flow_error

_FILTER = re.compile(r"^(?P<field>[A-Za-z0-9_.:\[\]-]+?)\s*(?P<op>==|!=|<=|>=|<|>|~)\s*(?P<value>.*)$")
_FIELD_ONLY = re.compile(r"^[A-Za-z0-9_.:\[\]-]+$")
ORDERABLE = ("name", "createdAt", "updatedAt", "id")

FILTERABLE: dict[str, frozenset[str]] = {
    "connections": frozenset(
        {"id", "name", "description", "connectionSpec", "state", "createdAt", "updatedAt"}
    ),
    "sourceConnections": frozenset(
        {"id", "name", "description", "connectionSpec", "baseConnectionId", "state", "createdAt", "updatedAt"}
    ),
    "targetConnections": frozenset(
        {"id", "name", "description", "connectionSpec", "baseConnectionId", "state", "createdAt", "updatedAt"}
    ),
    "flows": frozenset(
        {
            "id",
            "name",
            "description",
            "flowSpec",
            "state",
            "sourceConnectionIds",
            "targetConnectionIds",
            "inheritedAttributes",
            "transformations",
            "createdAt",
            "updatedAt",
        }
    ),
    "runs": frozenset({"id", "flowId", "state", "createdAt", "updatedAt", "metrics"}),
    "connectionSpecs": frozenset({"id", "name", "providerId"}),
    "flowSpecs": frozenset({"id", "name", "providerId"}),
}


def field_values(obj: Any, path: str) -> list[Any]:
    """Values at a dotted path; a segment ending in ``[]`` fans out over array elements."""
    current: list[Any] = [obj]
    for segment in path.split("."):
        fan_out = segment.endswith("[]")
        key = segment[:-2] if fan_out else segment
        nxt: list[Any] = []
        for item in current:
            if isinstance(item, dict) and key in item:
                value = item[key]
                if fan_out and isinstance(value, list):
                    nxt.extend(value)
                else:
                    nxt.append(value)
        current = nxt
    flat: list[Any] = []
    for value in current:
        if isinstance(value, list):
            flat.extend(value)
        else:
            flat.append(value)
    return flat


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _strip_quotes(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _as_number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class Filter:
    def __init__(self, expression: str, allowed: frozenset[str]) -> None:
        expression = expression.strip()
        match = _FILTER.match(expression)
        if match is None:
            if not _FIELD_ONLY.match(expression):
                raise flow_error(
                    "1453-400",
                    "Invalid request",
                    f"Invalid query value {expression} provided in query param.",
                )
            self.field, self.op, self.values = expression, "exists", []
        else:
            self.field, self.op = match["field"], match["op"]
            raw = match["value"]
            self.values = [_strip_quotes(v) for v in raw.split(",")]
            if not raw.strip():
                raise flow_error(
                    "1453-400",
                    "Invalid request",
                    f"Invalid query value {expression} provided in query param.",
                )
        if self.op == "~":
            raise flow_error("1440-400", "Invalid request", "Operator '~' not implemented.")
        if self.op in ("<", ">", "<=", ">=") and len(self.values) > 1:
            raise flow_error(
                "1443-400", "Invalid request", f"Operator '{self.op}' is not allowed for multiple values."
            )
        root = re.split(r"[.\[]", self.field, maxsplit=1)[0]
        if root not in allowed:
            raise flow_error("1449-400", "Invalid request", f"Invalid field {self.field} in filter params.")

    def matches(self, obj: Any) -> bool:
        found = field_values(obj, self.field)
        if self.op == "exists":
            return bool(found)
        texts = [_text(v) for v in found]
        if self.op == "==":
            return any(t in self.values for t in texts)
        if self.op == "!=":
            return not any(t in self.values for t in texts)
        target = _as_number(self.values[0])
        for value in found:
            number = _as_number(value)
            if number is None or target is None:
                continue
            if (
                (self.op == "<" and number < target)
                or (self.op == ">" and number > target)
                or (self.op == "<=" and number <= target)
                or (self.op == ">=" and number >= target)
            ):
                return True
        return False


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def _decode_token(token: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        offset = int(json.loads(base64.urlsafe_b64decode(padded.encode()))["offset"])
    except (ValueError, KeyError, TypeError):
        raise flow_error(
            "1453-400",
            "Invalid request",
            f"Invalid query value continuationToken={token} provided in query param.",
        ) from None
    if offset < 0:
        raise flow_error("1453-400", "Invalid request", "Invalid continuationToken.")
    return offset


def apply_filters(
    items: Iterable[dict[str, Any]], params: QueryParams, collection: str
) -> list[dict[str, Any]]:
    allowed = FILTERABLE[collection]
    filters = [Filter(expr, allowed) for expr in params.getlist("property")]
    return [item for item in items if all(f.matches(item) for f in filters)]


def _sort(items: list[dict[str, Any]], orderby: str) -> list[dict[str, Any]]:
    desc = orderby.startswith("-")
    name = orderby.lstrip("+-")
    if name not in ORDERABLE:
        raise flow_error(
            "1433-400",
            "Invalid request",
            f"Incorrect field= {name} passed in orderBy, example are +name, -name, name.",
        )
    return sorted(items, key=lambda item: (item.get(name) is None, item.get(name, "")), reverse=desc)


def list_response(
    items: Sequence[dict[str, Any]],
    params: QueryParams,
    collection: str,
    default_limit: int,
    *,
    paged: bool = True,
) -> dict[str, Any]:
    """Filter, sort and page ``items`` the way Flow Service lists do."""
    known = {"property", "limit", "orderby", "orderBy", "continuationToken", "count", "start"}
    unknown = sorted(set(params.keys()) - known)
    if unknown:
        raise flow_error(
            "1451-400", "Invalid request", f"Invalid params {unknown[0]} provided in query params."
        )
    selected = apply_filters(items, params, collection)
    orderby = params.get("orderby") or params.get("orderBy")
    if orderby:
        selected = _sort(selected, orderby)
    count = params.get("count", "").lower() == "true"
    if count and "limit" in params:
        raise flow_error(
            "1401-400",
            "Invalid request",
            "The limit and count parameters cannot be given together in the same request. "
            "Please provide either "
            "only the limit or the count parameter and try again.",
        )
    if count:
        return {"count": len(selected)}
    if not paged:
        return {"items": selected}
    limit = default_limit
    if "limit" in params:
        try:
            limit = int(params["limit"])
        except ValueError:
            limit = 0
        if limit < 1:
            raise flow_error(
                "1453-400",
                "Invalid request",
                f"Invalid query value limit={params['limit']} provided in query param.",
            )
    offset = _decode_token(params["continuationToken"]) if "continuationToken" in params else 0
    page = selected[offset : offset + limit]
    body: dict[str, Any] = {"items": page, "_links": {}}
    if offset + limit < len(selected):
        # As documented (reference §2.10): the link carries only the token; the caller sends its
        # filters again with it, and the token does not remember them.
        query = urlencode([("continuationToken", _encode_token(offset + limit))])
        body["_links"] = {"next": {"href": f"/{collection}?{query}"}}
    return body
