"""Catalog (reference §4): datasets."""

from __future__ import annotations

import copy
import fnmatch
import re
import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from airflow_provider_stripe_aep.emulator.errors import catalog_error
from airflow_provider_stripe_aep.emulator.gateway import Ctx, json_body, platform_context
from airflow_provider_stripe_aep.emulator.schema_registry import find_schema
from airflow_provider_stripe_aep.emulator.state import Resource, now_ms

router = APIRouter(prefix="/data/foundation/catalog", dependencies=[Depends(platform_context)])

_PROPERTY = re.compile(r"^(?P<neg>!)?(?P<field>[A-Za-z0-9_.]+)(?:(?P<op>==|!=|<=|>=|<|>|~)(?P<value>.*))?$")


def _bad(detail: str) -> Exception:
    return catalog_error(400, "CAT-1001-400", "Bad Request", detail)


def _name_filter(value: str, name: str) -> bool:
    for option in value.split(","):
        negate = option.startswith("!")
        pattern = option[1:] if negate else option
        hit = fnmatch.fnmatchcase(name, pattern) if "*" in pattern else name == pattern
        if hit != negate:
            return True
    return False


def _property_filter(expression: str, item: Resource) -> bool:
    match = _PROPERTY.match(expression.strip())
    if match is None:
        raise _bad(f"Invalid property filter '{expression}'")
    field, op, value = match["field"], match["op"], match["value"]
    if "." in field:
        raise _bad(f"property filters accept top-level fields only, got '{field}'")
    if op is None:
        return (field in item) != bool(match["neg"])
    actual = item.get(field)
    if op == "~":
        return actual is not None and re.search(value, str(actual)) is not None
    if op in ("==", "!="):
        hit = any(
            str(actual) == v or ("*" in v and fnmatch.fnmatchcase(str(actual), v)) for v in value.split(",")
        )
        return hit if op == "==" else not hit
    try:
        left, right = float(actual), float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        left, right = str(actual), value  # type: ignore[assignment]
    return bool(
        (op == "<" and left < right)
        or (op == ">" and left > right)
        or (op == "<=" and left <= right)
        or (op == ">=" and left >= right)
    )


def _project(item: Resource, properties: str | None) -> Resource:
    if not properties:
        return copy.deepcopy(item)
    wanted = [p.strip() for p in properties.split(",") if p.strip()]
    return {k: copy.deepcopy(item[k]) for k in wanted if k in item}


@router.post("/dataSets", status_code=201)
async def create_dataset(request: Request, ctx: Ctx) -> JSONResponse:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _bad("'name' is required")
    schema_ref = body.get("schemaRef")
    if not isinstance(schema_ref, dict) or not isinstance(schema_ref.get("id"), str):
        raise _bad("'schemaRef.id' is required")
    if find_schema(ctx.store, schema_ref["id"]) is None:
        raise _bad(f"The schema '{schema_ref['id']}' referenced by schemaRef.id does not exist")
    dataset_id = secrets.token_hex(12)
    now = now_ms()
    dataset = copy.deepcopy(body)
    dataset.update(
        {
            "imsOrg": ctx.org,
            "sandboxId": ctx.sandbox,
            "version": "1.0.0",
            "created": now,
            "updated": now,
            "createdClient": ctx.client_id,
            "createdUser": ctx.user,
            "updatedUser": ctx.user,
            "status": "enabled",
            "viewId": secrets.token_hex(12),
            "fileDescription": {"persisted": True, "containerFormat": "parquet", "format": "parquet"},
            "tags": body.get("tags", {}),
        }
    )
    dataset["files"] = f"@/dataSets/{dataset_id}/views/{dataset['viewId']}/files"
    if request.query_params.get("requestDataSource", "").lower() == "true":
        dataset["dataSourceId"] = int(now % 100000)
    ctx.store.datasets[dataset_id] = dataset
    return JSONResponse(
        [f"@/dataSets/{dataset_id}"],
        status_code=201,
        headers={"Location": f"/data/foundation/catalog/dataSets/{dataset_id}"},
    )


@router.get("/dataSets")
async def list_datasets(request: Request, ctx: Ctx) -> dict[str, Any]:
    params = request.query_params
    try:
        limit = int(params.get("limit", "20"))
        start = int(params.get("start", "0"))
    except ValueError:
        raise _bad("'limit' and 'start' must be integers") from None
    if not 1 <= limit <= 100:
        raise _bad(f"limit must be between 1 and 100, got {limit}")
    if start < 0:
        raise _bad("start must be >= 0")
    items = list(ctx.store.datasets.items())
    if "name" in params:
        items = [(k, v) for k, v in items if _name_filter(params["name"], v.get("name", ""))]
    for expression in params.getlist("property"):
        items = [(k, v) for k, v in items if _property_filter(expression, v)]
    order = params.get("orderBy") or params.get("orderby")
    if order:
        direction, _, field = order.partition(":") if ":" in order else ("asc", "", order)
        if direction not in ("asc", "desc"):
            raise _bad(f"Invalid orderBy '{order}', expected asc:<field> or desc:<field>")
        items.sort(
            key=lambda kv: (
                str(kv[1].get(field, "")).zfill(20)
                if field in ("created", "updated")
                else str(kv[1].get(field, ""))
            ),
            reverse=direction == "desc",
        )
    page = items[start : start + limit]
    return {k: _project(v, params.get("properties")) for k, v in page}


@router.get("/dataSets/{dataset_id}")
async def get_dataset(dataset_id: str, request: Request, ctx: Ctx) -> dict[str, Any]:
    dataset = ctx.store.datasets.get(dataset_id)
    if dataset is None:
        raise catalog_error(404, "CAT-1002-404", "Not Found", f"The dataSet '{dataset_id}' was not found")
    return {dataset_id: _project(dataset, request.query_params.get("properties"))}


@router.delete("/dataSets/{dataset_id}")
async def delete_dataset(dataset_id: str, ctx: Ctx) -> list[str]:
    if ctx.store.datasets.pop(dataset_id, None) is None:
        return []
    return [f"@/dataSets/{dataset_id}"]
