"""Data Prep / conversion service (reference §5): mapping sets."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from fastapi import APIRouter, Depends, Request

from airflow_provider_stripe_aep.emulator import expressions
from airflow_provider_stripe_aep.emulator.errors import ApiError, dataprep_error
from airflow_provider_stripe_aep.emulator.gateway import Ctx, RequestContext, json_body, platform_context
from airflow_provider_stripe_aep.emulator.schema_registry import find_schema, resolved_schema_properties
from airflow_provider_stripe_aep.emulator.state import Resource, SandboxStore, now_ms
from airflow_provider_stripe_aep.emulator.xdm_model import lookup_path
from airflow_provider_stripe_aep.resources.platform import XED_FULL_CONTENT_TYPE

router = APIRouter(prefix="/data/foundation/conversion", dependencies=[Depends(platform_context)])

SOURCE_TYPES = ("ATTRIBUTE", "EXPRESSION", "STATIC")


def _bad(detail: str, errors: list[Any] | None = None) -> ApiError:
    return dataprep_error(400, "DATAPREP-1001-400", "Bad Request", detail, errors)


def _normalise(body: Any) -> tuple[str, list[dict[str, Any]]]:
    """Accept the current (``outputSchema`` + ``source``/``destination``) and the legacy
    (``xdmSchema`` + ``sourceAttribute``/``destinationXdmPath``) body styles, and mixes of them."""
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object")
    schema_id = None
    output = body.get("outputSchema")
    if isinstance(output, dict) and isinstance(output.get("schemaRef"), dict):
        schema_id = output["schemaRef"].get("id")
    if schema_id is None:
        schema_id = body.get("xdmSchema")
    if not isinstance(schema_id, str) or not schema_id:
        raise _bad("outputSchema.schemaRef.id (or the legacy xdmSchema) is required")
    mappings = body.get("mappings")
    if not isinstance(mappings, list) or not mappings:
        raise _bad("mappings must be a non-empty list")
    result = []
    for item in mappings:
        if not isinstance(item, dict):
            raise _bad("every mapping must be a JSON object")
        entry = {
            "sourceType": item.get("sourceType", "ATTRIBUTE"),
            "source": item.get("source", item.get("sourceAttribute")),
            "destination": item.get("destination", item.get("destinationXdmPath")),
        }
        for key in ("name", "description", "identity", "identityGroup", "namespaceCode"):
            if key in item:
                entry[key] = item[key]
        result.append(entry)
    return schema_id, result


def input_schema_of(body: Any) -> dict[str, Any] | None:
    """The source (input) JSON Schema a request gives, if any: ``inputSchema`` holding a JSON Schema
    directly or under ``schema``. A reference by ID only gives nothing to check against."""
    raw = body.get("inputSchema") if isinstance(body, dict) else None
    if isinstance(raw, dict) and isinstance(raw.get("schema"), dict):
        raw = raw["schema"]
    if isinstance(raw, dict) and isinstance(raw.get("properties"), dict):
        return raw
    return None


def source_problems(mapping: dict[str, Any], input_schema: dict[str, Any] | None) -> list[str]:
    """What is wrong with a mapping's source: a bad expression, or a field the source lacks."""
    source, source_type = mapping.get("source"), mapping.get("sourceType")
    if not isinstance(source, str) or not source.strip():
        return []
    if source_type == "EXPRESSION":
        try:
            fields = expressions.check_expression(source)
        except expressions.ExpressionError as exc:
            return [f"Invalid expression '{source}': {exc}"]
    elif source_type == "ATTRIBUTE":
        fields = [source.strip()]
    else:
        return []
    if input_schema is None:
        return []
    return [
        f"source field '{field}' does not exist in the source schema"
        for field in fields
        if not expressions.source_field_exists(input_schema, field)
    ]


def _mapping_errors(
    properties: dict[str, Any] | None, mapping: dict[str, Any], input_schema: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    source, destination, source_type = mapping["source"], mapping["destination"], mapping["sourceType"]

    def error(message: str) -> dict[str, Any]:
        return {
            "source": source,
            "destination": destination,
            "exception": message,
            "columnName": destination,
            "sourceType": source_type,
        }

    problems = []
    if source_type not in SOURCE_TYPES:
        problems.append(error(f"sourceType must be one of {', '.join(SOURCE_TYPES)}, got {source_type!r}"))
    if not isinstance(source, str) or not source.strip():
        problems.append(error("source is required"))
    problems.extend(error(message) for message in source_problems(mapping, input_schema))
    if not isinstance(destination, str) or not destination.strip():
        problems.append(error("destination is required"))
    elif properties is not None and lookup_path(properties, destination) is None:
        problems.append(error(f"destination path '{destination}' does not exist in the target schema"))
    return problems


def _validate(store: SandboxStore, body: Any) -> tuple[str, list[dict[str, Any]], list[list[dict[str, Any]]]]:
    schema_id, mappings = _normalise(body)
    schema = find_schema(store, schema_id)
    if schema is None:
        raise _bad(f"The output schema '{schema_id}' does not exist")
    properties = resolved_schema_properties(store, schema)
    input_schema = input_schema_of(body)
    return schema["$id"], mappings, [_mapping_errors(properties, m, input_schema) for m in mappings]


def _stored_view(mapping_set: Resource, version: int | None = None) -> Resource:
    versions = mapping_set["_versions"]
    chosen = versions[-1] if version is None else versions[version]
    return {k: copy.deepcopy(v) for k, v in chosen.items()}


def find_mapping_set(store: SandboxStore, mapping_id: str) -> Resource | None:
    return store.mapping_sets.get(mapping_id)


def _record(ctx: RequestContext, body: Any, existing: Resource | None) -> Resource:
    schema_id, mappings, problems = _validate(ctx.store, body)
    bad = [p for group in problems for p in group]
    if bad:
        names = ", ".join(f"{p['source']} -> {p['destination']}" for p in bad)
        raise _bad(f"Mapping set validation failed for: {names}", bad)
    now = now_ms()
    version = 0 if existing is None else len(existing["_versions"])
    mapping_id = uuid.uuid4().hex if existing is None else existing["id"]
    content_type = XED_FULL_CONTENT_TYPE
    if isinstance(body.get("outputSchema"), dict):
        content_type = body["outputSchema"].get("schemaRef", {}).get("contentType", content_type)
    created = now if existing is None else existing["_versions"][0]["createdDate"]
    record = {
        "id": mapping_id,
        "version": version,
        "status": "PUBLISHED",
        "createdDate": created,
        "modifiedDate": now,
        "createdBy": ctx.user,
        "modifiedBy": ctx.user,
        "xdmSchema": schema_id,
        "xdmVersion": body.get("xdmVersion", "1.0"),
        "schemaRef": {"id": schema_id, "contentType": content_type},
        "outputSchema": {"schemaRef": {"id": schema_id, "contentType": content_type}},
        "mappings": [{"id": uuid.uuid4().hex, "version": version, **m} for m in mappings],
    }
    for key in ("name", "description"):
        if key in body:
            record[key] = body[key]
    if existing is None:
        mapping_set: Resource = {"id": mapping_id, "_versions": [record]}
        ctx.store.mapping_sets[mapping_id] = mapping_set
    else:
        existing["_versions"].append(record)
    return record


def _summary(record: Resource) -> Resource:
    return {k: record[k] for k in ("id", "version", "createdDate", "modifiedDate", "createdBy", "modifiedBy")}


@router.post("/mappingSets/validate")
async def validate_mapping_set(request: Request, ctx: Ctx) -> Resource:
    body = await json_body(request)
    _, _, problems = _validate(ctx.store, body)
    return {
        "validationResponse": [
            {"status": "FAILED" if group else "SUCCESS", "errors": group or None} for group in problems
        ]
    }


@router.post("/mappingSets")
async def create_mapping_set(request: Request, ctx: Ctx) -> Resource:
    body = await json_body(request)
    return _summary(_record(ctx, body, None))


@router.get("/mappingSets")
async def list_mapping_sets(request: Request, ctx: Ctx) -> Resource:
    params = request.query_params
    if "limit" not in params or "start" not in params:
        raise _bad("The query parameters 'limit' and 'start' are required")
    try:
        limit, start = int(params["limit"]), int(params["start"])
    except ValueError:
        raise _bad("'limit' and 'start' must be integers") from None
    if limit < 1 or start < 0:
        raise _bad("'limit' must be >= 1 and 'start' >= 0")
    records = [_stored_view(m) for m in ctx.store.mapping_sets.values()]
    if "name" in params:
        records = [r for r in records if r.get("name") == params["name"]]
    order = params.get("orderBy") or params.get("orderby")
    if order:
        field = order.lstrip("+-")
        key = {"createdDate": "createdDate", "updatedDate": "modifiedDate"}.get(field)
        if key is None:
            raise _bad(f"Invalid orderBy '{order}'")
        records.sort(key=lambda r: r[key], reverse=order.startswith("-"))
    page = records[start : start + limit]
    return {"data": page, "_page": {"count": len(page), "limit": limit}}


@router.get("/mappingSets/{mapping_id}")
async def get_mapping_set(mapping_id: str, request: Request, ctx: Ctx) -> Resource:
    mapping_set = find_mapping_set(ctx.store, mapping_id)
    if mapping_set is None:
        raise dataprep_error(
            404, "DATAPREP-1002-404", "Not Found", f"Mapping set '{mapping_id}' was not found"
        )
    version = request.query_params.get("version")
    if version is not None:
        if not version.isdigit() or int(version) >= len(mapping_set["_versions"]):
            raise dataprep_error(
                404,
                "DATAPREP-1002-404",
                "Not Found",
                f"Version {version} of mapping set '{mapping_id}' not found",
            )
        return _stored_view(mapping_set, int(version))
    return _stored_view(mapping_set)


@router.get("/mappingSets/{mapping_id}/mappings")
async def get_mappings(mapping_id: str, ctx: Ctx) -> list[Resource]:
    mapping_set = find_mapping_set(ctx.store, mapping_id)
    if mapping_set is None:
        raise dataprep_error(
            404, "DATAPREP-1002-404", "Not Found", f"Mapping set '{mapping_id}' was not found"
        )
    mappings: list[Resource] = _stored_view(mapping_set)["mappings"]
    return mappings


@router.put("/mappingSets/{mapping_id}")
async def put_mapping_set(mapping_id: str, request: Request, ctx: Ctx) -> Resource:
    mapping_set = find_mapping_set(ctx.store, mapping_id)
    if mapping_set is None:
        raise dataprep_error(
            404, "DATAPREP-1002-404", "Not Found", f"Mapping set '{mapping_id}' was not found"
        )
    body = await json_body(request)
    return _summary(_record(ctx, body, mapping_set))


# No DELETE /mappingSets/{id}: Data Prep's spec and guide document none (aepp sends one; reference §5).
