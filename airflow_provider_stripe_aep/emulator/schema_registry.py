"""Schema Registry (reference §3): stats, tenant field groups and schemas."""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from airflow_provider_stripe_aep.emulator import evolution, jsonpatch
from airflow_provider_stripe_aep.emulator.errors import ApiError, xdm_error
from airflow_provider_stripe_aep.emulator.gateway import Ctx, RequestContext, json_body, platform_context
from airflow_provider_stripe_aep.emulator.state import Resource, SandboxStore, now_ms
from airflow_provider_stripe_aep.emulator.xdm_model import (
    CLASSES,
    GLOBAL_FIELD_GROUPS,
    field_group_properties,
    merge_properties,
    validate_field_group_body,
)

router = APIRouter(prefix="/data/foundation/schemaregistry", dependencies=[Depends(platform_context)])

LIST_MEDIA = {
    "application/vnd.adobe.xed-id+json": "id",
    "application/vnd.adobe.xed+json": "raw",
    "application/vnd.adobe.xed-full+json": "full",
}
LOOKUP_MEDIA = {
    "application/vnd.adobe.xed+json": "raw",
    "application/vnd.adobe.xed-notext+json": "raw",
    "application/vnd.adobe.xed-deprecatefield+json": "raw",
    "application/vnd.adobe.xed-full+json": "full",
    "application/vnd.adobe.xed-full-notext+json": "full",
    "application/vnd.adobe.xed-full-desc+json": "full",
}
MAX_PAGE = 300
_SPLIT_FILTERS = re.compile(r",(?=\s*[A-Za-z$:_-]+\s*(?:==|!=|<=|>=|<|>|~))")
VALIDATION_CODE = "1521-400"  # guessed: the documents name no code for field/schema validation failures
IN_USE_CODE = "1013-400"  # guessed: deleting a resource that another resource still references
LOCKED_CODE = "1014-400"  # guessed: the documents say the delete is refused (§8c), not with which code


def _parse_accept(value: str) -> tuple[str, dict[str, str]]:
    media, *params = [p.strip() for p in value.split(";")]
    parsed = {}
    for param in params:
        key, _, val = param.partition("=")
        parsed[key.strip().lower()] = val.strip()
    return media.lower(), parsed


def _list_view(request: Request) -> str:
    media, _ = _parse_accept(request.headers.get("accept", ""))
    if media not in LIST_MEDIA:
        raise xdm_error(
            "1006-400",
            "Invalid Accept header",
            f"The Accept header '{request.headers.get('accept', '')}' is not valid for this request. Use "
            "application/vnd.adobe.xed-id+json or application/vnd.adobe.xed+json.",
        )
    return LIST_MEDIA[media]


def _lookup_view(request: Request) -> str:
    accept = request.headers.get("accept", "")
    media, params = _parse_accept(accept)
    if media not in LOOKUP_MEDIA:
        raise xdm_error(
            "1006-400",
            "Invalid Accept header",
            f"The Accept header '{accept}' is not valid for this request, for example use "
            "application/vnd.adobe.xed-full+json; version=1",
        )
    version = params.get("version")
    if not version:
        raise xdm_error(
            "1007-400",
            "Accept header version missing",
            f"The Accept header '{accept}' must include a version, for example "
            "application/vnd.adobe.xed-full+json; version=1",
        )
    if version.split(".")[0] != "1":
        raise xdm_error(
            "1012-404", "Resource Not Found", f"Version {version} of the resource does not exist."
        )
    return LOOKUP_MEDIA[media]


def _not_found(kind: str, resource_id: str) -> ApiError:
    return xdm_error("1012-404", "Resource Not Found", f"The requested {kind} '{resource_id}' was not found.")


def _collection(store: SandboxStore, kind: str) -> dict[str, Resource]:
    return store.fieldgroups if kind == "mixins" else store.schemas


def _find(store: SandboxStore, kind: str, resource_id: str) -> Resource:
    for item in _collection(store, kind).values():
        if resource_id in (item["$id"], item["meta:altId"]):
            return item
    raise _not_found("schema" if kind == "schemas" else "field group", resource_id)


def _new_ids(ctx: RequestContext, kind: str) -> tuple[str, str]:
    digest = hashlib.sha256(secrets.token_bytes(16)).hexdigest()[:48]
    tenant = ctx.config.tenant_id
    return f"https://ns.adobe.com/{tenant}/{kind}/{digest}", f"_{tenant}.{kind}.{digest}"


def _identity(ctx: RequestContext, kind: str, existing: Resource | None) -> tuple[str, str, str, int | None]:
    """IDs, version and creation date: new ones, or the replaced resource's with the minor version bumped."""
    if existing is None:
        new_id, alt_id = _new_ids(ctx, kind)
        return new_id, alt_id, "1.0", None
    major, _, minor = existing["version"].partition(".")
    created = existing["meta:registryMetadata"]["repo:createdDate"]
    return existing["$id"], existing["meta:altId"], f"{major}.{int(minor or 0) + 1}", created


def _registry_metadata(ctx: RequestContext, created: int | None = None) -> dict[str, Any]:
    now = now_ms()
    return {
        "repo:createdDate": created or now,
        "repo:lastModifiedDate": now,
        "xdm:createdClientId": ctx.client_id,
        "xdm:lastModifiedClientId": ctx.client_id,
        "xdm:createdUserId": ctx.user,
        "xdm:lastModifiedUserId": ctx.user,
        "eTag": secrets.token_hex(32),
    }


def _check_title(store: SandboxStore, kind: str, title: Any, own_id: str | None = None) -> None:
    for item in _collection(store, kind).values():
        if item["title"] == title and item["$id"] != own_id:
            raise xdm_error(
                "3005-400",
                "Import conflict",
                f"A {'schema' if kind == 'schemas' else 'field group'} with the title '{title}' "
                "already exists "
                f"({item['$id']}). Titles must be unique.",
            )


def _validation_error(kind: str, errors: list[str]) -> ApiError:
    return xdm_error(
        VALIDATION_CODE,
        "Invalid XDM",
        f"The {kind} is not valid: " + "; ".join(errors),
        sub_errors=[{"message": e} for e in errors],
    )


# ---------------------------------------------------------------- field groups
def _build_field_group(ctx: RequestContext, body: dict[str, Any], existing: Resource | None) -> Resource:
    errors: list[str] = []
    validate_field_group_body(body, ctx.config.tenant_id, errors)
    if not errors:
        conflicts: list[str] = []
        merged: dict[str, Any] = {}
        for definition in body["definitions"].values():
            merge_properties(merged, copy.deepcopy(definition["properties"]), "", conflicts)
        errors.extend(f"{c}: defined twice with different types" for c in conflicts)
    if errors:
        raise _validation_error("field group", errors)
    group_id, alt_id, version, created = _identity(ctx, "mixins", existing)
    group = copy.deepcopy(body)
    group.update(
        {
            "$id": group_id,
            "meta:altId": alt_id,
            "meta:resourceType": "mixins",
            "version": version,
            "type": "object",
            "meta:abstract": True,
            "meta:extensible": True,
            "meta:containerId": "tenant",
            "meta:tenantNamespace": f"_{ctx.config.tenant_id}",
            "meta:xdmType": "object",
            "imsOrg": ctx.org,
            "refs": [],
            "meta:registryMetadata": _registry_metadata(ctx, created),
        }
    )
    return group


def _field_group_view(group: Resource, view: str) -> Resource:
    if view == "id":
        return {k: group[k] for k in ("$id", "meta:altId", "version", "title")}
    result = copy.deepcopy(group)
    if view == "full":
        result["properties"] = field_group_properties(group)
    return result


# ---------------------------------------------------------------- schemas
def _known_field_group(store: SandboxStore, ref: str) -> Resource | None:
    if ref in GLOBAL_FIELD_GROUPS:
        return GLOBAL_FIELD_GROUPS[ref]
    for group in store.fieldgroups.values():
        if ref in (group["$id"], group["meta:altId"]):
            return group
    return None


def _analyse_schema(ctx: RequestContext, body: dict[str, Any]) -> tuple[str, list[str]]:
    """Validate ``allOf`` and return (class id, field group ids)."""
    errors: list[str] = []
    if not isinstance(body.get("title"), str) or not body["title"].strip():
        errors.append("title: required")
    all_of = body.get("allOf")
    if not isinstance(all_of, list) or not all_of:
        raise _validation_error("schema", [*errors, "allOf: required, a list of {'$ref': ...}"])
    classes: list[str] = []
    groups: list[str] = []
    for entry in all_of:
        ref = entry.get("$ref") if isinstance(entry, dict) else None
        if not isinstance(ref, str):
            errors.append("allOf: every entry needs a '$ref'")
        elif ref in CLASSES:
            classes.append(ref)
        elif _known_field_group(ctx.store, ref) is not None:
            if ref not in groups:
                groups.append(ref)
        else:
            errors.append(f"allOf: {ref} is neither a known class nor an existing field group")
    if len(classes) != 1:
        errors.append(f"allOf must contain exactly one class, found {len(classes)}")
    if errors:
        raise _validation_error("schema", errors)
    class_id = classes[0]
    properties = copy.deepcopy(CLASSES[class_id]["properties"])
    conflicts: list[str] = []
    for ref in groups:
        group = _known_field_group(ctx.store, ref)
        assert group is not None
        if class_id not in group.get("meta:intendedToExtend", []):
            errors.append(
                f"field group {ref} is not compatible with class {class_id} (meta:intendedToExtend)"
            )
        merge_properties(properties, field_group_properties(group), "", conflicts)
    errors.extend(f"{c}: defined with different types by two field groups" for c in conflicts)
    if errors:
        raise _validation_error("schema", errors)
    return class_id, groups


def _build_schema(ctx: RequestContext, body: dict[str, Any], existing: Resource | None) -> Resource:
    class_id, groups = _analyse_schema(ctx, body)
    schema_id, alt_id, version, created = _identity(ctx, "schemas", existing)
    schema = copy.deepcopy(body)
    schema["allOf"] = [{"$ref": e["$ref"], "type": "object", "meta:xdmType": "object"} for e in body["allOf"]]
    schema.update(
        {
            "$id": schema_id,
            "meta:altId": alt_id,
            "meta:resourceType": "schemas",
            "version": version,
            "type": "object",
            "refs": [*groups, class_id],
            "imsOrg": ctx.org,
            "meta:extensible": False,
            "meta:abstract": False,
            "meta:extends": [*groups, *CLASSES[class_id]["meta:extends"], class_id],
            "meta:xdmType": "object",
            "meta:class": class_id,
            "meta:containerId": "tenant",
            "meta:tenantNamespace": f"_{ctx.config.tenant_id}",
            "meta:registryMetadata": _registry_metadata(ctx, created),
        }
    )
    return schema


def resolved_schema_properties(store: SandboxStore, schema: Resource) -> dict[str, Any]:
    """Every field of a schema: class fields plus all field groups (the ``xed-full`` properties)."""
    class_id = schema["meta:class"]
    properties = copy.deepcopy(CLASSES[class_id]["properties"])
    for ref in schema.get("meta:extends", []):
        group = _known_field_group(store, ref)
        if group is not None:
            merge_properties(properties, field_group_properties(group), "", [])
    return properties


def find_schema(store: SandboxStore, schema_id: str) -> Resource | None:
    for schema in store.schemas.values():
        if schema_id in (schema["$id"], schema["meta:altId"]):
            return schema
    return None


def _schema_view(store: SandboxStore, schema: Resource, view: str) -> Resource:
    if view == "id":
        return {k: schema[k] for k in ("$id", "meta:altId", "version", "title")}
    result = copy.deepcopy(schema)
    if view == "full":
        result["properties"] = resolved_schema_properties(store, schema)
        required = CLASSES[schema["meta:class"]].get("required")
        if required:
            result["required"] = list(required)
    return result


def _view(store: SandboxStore, kind: str, item: Resource, view: str) -> Resource:
    return _schema_view(store, item, view) if kind == "schemas" else _field_group_view(item, view)


# ---------------------------------------------------------------- listing
def _matches(item: Resource, expression: str) -> bool:
    for op in ("!=", "==", "<=", ">=", "<", ">", "~"):
        if op in expression:
            name, _, value = expression.partition(op)
            actual = item.get(name.strip())
            values = actual if isinstance(actual, list) else [actual]
            texts = [str(v) for v in values if v is not None]
            wanted = value.strip()
            if op == "==":
                return wanted in texts
            if op == "!=":
                return wanted not in texts
            if op == "~":
                return any(re.search(wanted, t) for t in texts)
            return any(
                (op == "<" and t < wanted)
                or (op == ">" and t > wanted)
                or (op == "<=" and t <= wanted)
                or (op == ">=" and t >= wanted)
                for t in texts
            )
    return expression.strip() in item


def _list(ctx: RequestContext, request: Request, kind: str) -> dict[str, Any]:
    view = _list_view(request)
    params = request.query_params
    items = list(_collection(ctx.store, kind).values())
    for prop in params.getlist("property"):
        for expression in _SPLIT_FILTERS.split(prop):
            items = [i for i in items if _matches(i, expression)]
    orderby = params.get("orderby")
    next_start: str | None = None
    if orderby:
        desc = orderby.startswith("-")
        field = orderby.lstrip("+-")
        items.sort(key=lambda i: str(i.get(field, "")), reverse=desc)
        try:
            limit = min(int(params.get("limit", MAX_PAGE)), MAX_PAGE)
        except ValueError:
            raise xdm_error("1010-400", "Invalid request", "limit must be an integer") from None
        limit = max(limit, 1)
        start = params.get("start")
        if start is not None:
            items = [
                i
                for i in items
                if (str(i.get(field, "")) <= start if desc else str(i.get(field, "")) >= start)
            ]
        if len(items) > limit:
            next_start = str(items[limit].get(field, ""))
        items = items[:limit]
    else:
        items = items[:MAX_PAGE]
    links: dict[str, Any] = {"next": None}
    if next_start is not None:
        query = [(k, v) for k, v in params.multi_items() if k != "start"] + [("start", next_start)]
        links["next"] = {"href": f"{request.url.path}?{urlencode(query)}"}
    return {
        "results": [_view(ctx.store, kind, i, view) for i in items],
        "_page": {"orderby": orderby, "next": next_start, "count": len(items)},
        "_links": links,
    }


# ---------------------------------------------------------------- routes
@router.get("/stats")
async def stats(ctx: Ctx) -> dict[str, Any]:
    return {
        "imsOrg": ctx.org,
        "tenantId": ctx.config.tenant_id,
        "counts": {
            "schemas": len(ctx.store.schemas),
            "mixins": len(ctx.store.fieldgroups),
            "datatypes": 0,
            "classes": 0,
            "unions": 0,
        },
        "recentlyCreatedResources": [],
        "recentlyUpdatedResources": [],
        "classUsage": {},
    }


def _kind(collection: str) -> str:
    return "schemas" if collection == "schemas" else "mixins"


async def _create(collection: str, request: Request, ctx: RequestContext) -> JSONResponse:
    kind = _kind(collection)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise _validation_error(kind, ["the body must be a JSON object"])
    _check_title(ctx.store, kind, body.get("title"))
    item = _build_schema(ctx, body, None) if kind == "schemas" else _build_field_group(ctx, body, None)
    _collection(ctx.store, kind)[item["$id"]] = item
    return JSONResponse(_view(ctx.store, kind, item, "raw"), status_code=201)


def _register(collection: str) -> None:
    base = f"/tenant/{collection}"

    @router.post(base, status_code=201, name=f"create_{collection}")
    async def create(request: Request, ctx: Ctx) -> JSONResponse:
        return await _create(collection, request, ctx)

    @router.get(base, name=f"list_{collection}")
    async def list_items(request: Request, ctx: Ctx) -> dict[str, Any]:
        return _list(ctx, request, _kind(collection))

    @router.get(base + "/{resource_id:path}", name=f"get_{collection}")
    async def get_item(resource_id: str, request: Request, ctx: Ctx) -> dict[str, Any]:
        kind = _kind(collection)
        item = _find(ctx.store, kind, resource_id)
        return _view(ctx.store, kind, item, _lookup_view(request))

    @router.patch(base + "/{resource_id:path}", name=f"patch_{collection}")
    async def patch_item(resource_id: str, request: Request, ctx: Ctx) -> dict[str, Any]:
        kind = _kind(collection)
        item = _find(ctx.store, kind, resource_id)
        ops = await json_body(request)
        try:
            patched = jsonpatch.apply_patch(item, ops)
        except jsonpatch.PatchError as exc:
            raise xdm_error("1010-400", "Invalid patch", str(exc)) from None
        for key in ("$id", "meta:altId"):
            if patched.get(key) != item[key]:
                raise xdm_error("1010-400", "Invalid patch", f"'{key}' cannot be changed")
        _check_title(ctx.store, kind, patched.get("title"), own_id=item["$id"])
        updated = (
            _build_schema(ctx, patched, item) if kind == "schemas" else _build_field_group(ctx, patched, item)
        )
        if kind == "mixins":
            _check_group_still_fits(ctx.store, updated)
            _check_additive(ctx, item, updated)
        _collection(ctx.store, kind)[item["$id"]] = updated
        return _view(ctx.store, kind, updated, "raw")

    @router.put(base + "/{resource_id:path}", name=f"put_{collection}")
    async def put_item(resource_id: str, request: Request, ctx: Ctx) -> dict[str, Any]:
        kind = _kind(collection)
        item = _find(ctx.store, kind, resource_id)
        body = await json_body(request)
        if not isinstance(body, dict):
            raise _validation_error(kind, ["the body must be a JSON object"])
        _check_title(ctx.store, kind, body.get("title"), own_id=item["$id"])
        updated = _build_schema(ctx, body, item) if kind == "schemas" else _build_field_group(ctx, body, item)
        if kind == "mixins":
            _check_additive(ctx, item, updated)
        _collection(ctx.store, kind)[item["$id"]] = updated
        return _view(ctx.store, kind, updated, "raw")

    @router.delete(base + "/{resource_id:path}", status_code=204, name=f"delete_{collection}")
    async def delete_item(resource_id: str, ctx: Ctx) -> Response:
        kind = _kind(collection)
        item = _find(ctx.store, kind, resource_id)
        users = _users_of(ctx.store, kind, item["$id"])
        if users:
            raise xdm_error(
                IN_USE_CODE,
                "Resource in use",
                f"'{item['$id']}' cannot be deleted because it is referenced by: {', '.join(users)}",
            )
        if kind == "schemas" and "union" in (item.get("meta:immutableTags") or []):
            # Once a schema is enabled for Profile, only additive changes are allowed and deleting it is
            # refused (reference §3.4, §8c); the field groups it uses stay in use with it.
            raise xdm_error(
                LOCKED_CODE,
                "Schema cannot be deleted",
                f"'{item['$id']}' is enabled for Profile (meta:immutableTags union) and cannot be deleted",
            )
        del _collection(ctx.store, kind)[item["$id"]]
        return Response(status_code=204)


def _users_of(store: SandboxStore, kind: str, resource_id: str) -> list[str]:
    if kind == "mixins":
        return [s["$id"] for s in store.schemas.values() if resource_id in s.get("meta:extends", [])]
    return [
        f"dataSet {k}" for k, d in store.datasets.items() if d.get("schemaRef", {}).get("id") == resource_id
    ]


def _check_additive(ctx: RequestContext, before: Resource, after: Resource) -> None:
    """Once a schema using the group has ingested data or is enabled for Profile, only additive
    changes (reference §8c)."""
    changes = evolution.breaking_changes(before, after)
    if not changes:
        return
    reason = evolution.locked_reason(ctx.store, ctx.config, before["$id"])
    if reason is not None:
        # The documents describe the refusal but name no error code for it: VALIDATION_CODE (guessed).
        raise _validation_error(
            "field group",
            [f"only additive changes are allowed because {reason}; not additive: {c}" for c in changes],
        )


def _check_group_still_fits(store: SandboxStore, group: Resource) -> None:
    for schema in store.schemas.values():
        if group["$id"] in schema.get("meta:extends", []) and schema["meta:class"] not in group.get(
            "meta:intendedToExtend", []
        ):
            raise _validation_error(
                "field group", [f"meta:intendedToExtend no longer includes the class of {schema['$id']}"]
            )


for _name in ("fieldgroups", "mixins", "schemas"):
    _register(_name)
