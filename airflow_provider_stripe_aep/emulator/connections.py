"""Flow Service: connection and flow specs, base/source/target connections, explore (§2.1-§2.5)."""

from __future__ import annotations

import base64
import binascii
import copy
import json
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from airflow_provider_stripe_aep.emulator import fixtures, source_changes
from airflow_provider_stripe_aep.emulator.errors import ApiError, flow_error, flow_invalid, flow_not_found
from airflow_provider_stripe_aep.emulator.flowcommon import (
    PREFIX,
    audit_fields,
    check_if_match,
    created,
    patched,
    require_dict,
    single,
    spec_id_of,
    touch,
)
from airflow_provider_stripe_aep.emulator.gateway import Ctx, RequestContext, json_body, platform_context
from airflow_provider_stripe_aep.emulator.query import list_response
from airflow_provider_stripe_aep.emulator.schema_registry import find_schema
from airflow_provider_stripe_aep.emulator.specs import (
    CONNECTION_SPECS,
    FLOW_SPECS,
    PAYPAL_CONNECTION_SPEC_ID,
)
from airflow_provider_stripe_aep.emulator.state import Resource, SandboxStore, new_etag, new_id
from airflow_provider_stripe_aep.resources.platform import DATA_LAKE_CONNECTION_SPEC_ID, TARGET_DATA_FORMAT
from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS, STRIPE_CONNECTION_SPEC_ID

router = APIRouter(prefix=PREFIX, dependencies=[Depends(platform_context)])

MASK = "********"
SOURCE_SPECS = (STRIPE_CONNECTION_SPEC_ID, PAYPAL_CONNECTION_SPEC_ID)
PROTECTED = ("id", "connectionSpec", "etag", "version", "createdAt", "createdBy", "createdClient", "imsOrgId")


def invalid_spec(spec_id: str, what: str = "connection spec") -> ApiError:
    return flow_error(
        "1413-400",
        "Invalid request",
        f"The spec ID provided is invalid. Please provide a valid spec ID and try again. (unknown {what} "
        f"'{spec_id}')",
    )


# ---------------------------------------------------------------- specs
@router.get("/connectionSpecs")
async def list_connection_specs(request: Request, ctx: Ctx) -> Any:
    return list_response(
        list(CONNECTION_SPECS.values()),
        request.query_params,
        "connectionSpecs",
        ctx.config.page_size,
        paged=False,
    )


@router.get("/connectionSpecs/{spec_id}")
async def get_connection_spec(spec_id: str) -> Any:
    if spec_id not in CONNECTION_SPECS:
        raise flow_not_found("connectionSpecs", spec_id)
    return single(copy.deepcopy(CONNECTION_SPECS[spec_id]))


@router.get("/flowSpecs")
async def list_flow_specs(request: Request, ctx: Ctx) -> Any:
    return list_response(
        list(FLOW_SPECS.values()), request.query_params, "flowSpecs", ctx.config.page_size, paged=False
    )


@router.get("/flowSpecs/{spec_id}")
async def get_flow_spec(spec_id: str) -> Any:
    if spec_id not in FLOW_SPECS:
        raise flow_not_found("flowSpecs", spec_id)
    return single(copy.deepcopy(FLOW_SPECS[spec_id]))


# ---------------------------------------------------------------- base connections
def _auth_spec(spec_id: str, name: Any) -> dict[str, Any]:
    for auth in CONNECTION_SPECS[spec_id].get("authSpec", []):
        if auth["name"] == name:
            return dict(auth)
    raise flow_error(
        "1415-400",
        "Invalid request",
        f"The auth spec '{name}' could not be found for the connection spec ID {spec_id}.",
    )


def _named_source_spec(body: dict[str, Any], expected: str) -> str:
    """Check the name and that the connection spec is a known source spec; return the spec ID."""
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise flow_invalid("'name' is required")
    spec_id = spec_id_of(body, "connectionSpec")
    if spec_id not in CONNECTION_SPECS:
        raise invalid_spec(spec_id)
    if spec_id not in SOURCE_SPECS:
        raise invalid_spec(spec_id, expected)
    return spec_id


def _validate_base_connection(body: dict[str, Any]) -> None:
    spec_id = _named_source_spec(body, "source connection spec (base connections need a source spec)")
    auth = require_dict(body.get("auth"), "auth")
    auth_spec = _auth_spec(spec_id, auth.get("specName"))
    params = require_dict(auth.get("params"), "auth.params")
    properties = auth_spec["spec"].get("properties", {})
    for name in auth_spec["spec"].get("required", []):
        value = params.get(name)
        if not isinstance(value, str) or not value.strip():
            raise flow_invalid(f"auth.params.{name} is required by auth spec '{auth_spec['name']}'")
    unknown = sorted(set(params) - set(properties))
    if unknown:
        raise flow_invalid(f"auth.params has fields the auth spec does not define: {', '.join(unknown)}")


def masked_connection(connection: Resource) -> Resource:
    """A base connection as GET returns it: every secret auth param masked."""
    view = copy.deepcopy(connection)
    auth = view.get("auth")
    if isinstance(auth, dict) and isinstance(auth.get("params"), dict):
        spec_id = view["connectionSpec"]["id"]
        props: dict[str, Any] = {}
        for spec in CONNECTION_SPECS.get(spec_id, {}).get("authSpec", []):
            if spec["name"] == auth.get("specName"):
                props = spec["spec"].get("properties", {})
        for key in list(auth["params"]):
            declared = props.get(key)
            if (
                declared is None
                or declared.get("format") == "password"
                or key.lower().endswith(("secret", "token"))
            ):
                auth["params"][key] = MASK
    return view


def get_connection(store: SandboxStore, connection_id: str) -> Resource:
    connection = store.connections.get(connection_id)
    if connection is None:
        raise flow_not_found("connections", connection_id)
    return connection


@router.post("/connections", status_code=201)
async def create_connection(request: Request, ctx: Ctx) -> Response:
    body = require_dict(await json_body(request), "body")
    if "state" in body:
        body = {k: v for k, v in body.items() if k != "state"}
    _validate_base_connection(body)
    etag = new_etag()
    connection = {**_connection_record(ctx, body, etag), "auth": copy.deepcopy(body["auth"])}
    ctx.store.connections[connection["id"]] = connection
    return created("connections", connection["id"], etag)


@router.get("/connections")
async def list_connections(request: Request, ctx: Ctx) -> Any:
    items = [masked_connection(c) for c in ctx.store.connections.values()]
    return list_response(items, request.query_params, "connections", ctx.config.page_size)


@router.get("/connections/{connection_id}")
async def read_connection(connection_id: str, ctx: Ctx) -> Any:
    return single(masked_connection(get_connection(ctx.store, connection_id)))


@router.get("/connections/{connection_id}/test")
async def test_connection(connection_id: str, ctx: Ctx) -> Any:
    get_connection(ctx.store, connection_id)
    return {"result": True}


@router.patch("/connections/{connection_id}")
async def patch_connection(connection_id: str, request: Request, ctx: Ctx) -> Any:
    connection = get_connection(ctx.store, connection_id)
    check_if_match(request, connection)
    updated = patched(connection, await json_body(request), PROTECTED)
    _validate_base_connection(updated)
    touch(updated, ctx, new_etag())
    ctx.store.connections[connection_id] = updated
    return {"id": connection_id, "etag": updated["etag"]}


@router.delete("/connections/{connection_id}", status_code=204)
async def delete_connection(connection_id: str, ctx: Ctx) -> Response:
    get_connection(ctx.store, connection_id)
    source_ids = {
        s["id"] for s in ctx.store.source_connections.values() if s.get("baseConnectionId") == connection_id
    }
    users = [f["id"] for f in ctx.store.flows.values() if source_ids & set(f.get("sourceConnectionIds", []))]
    if users:
        raise flow_error(
            "1418-400",
            "Invalid request",
            f"The base connection with the ID {connection_id} cannot be deleted because the base "
            "connection is "
            "being used in one or more flows. Please ensure that corresponding flows are deleted before "
            "deleting "
            "a base connection.",
        )
    del ctx.store.connections[connection_id]
    return Response(status_code=204)


# ---------------------------------------------------------------- explore
def _decode_source_params(raw: str) -> dict[str, Any]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        decoded = json.loads(base64.b64decode(padded, validate=False).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise flow_invalid("sourceParams must be the base64 encoding of a JSON object") from None
    if not isinstance(decoded, dict):
        raise flow_invalid("sourceParams must be the base64 encoding of a JSON object")
    return decoded


def _explore_rest(store: SandboxStore, params: Any) -> dict[str, Any]:
    if params.get("objectType", "").lower() != "rest":
        raise flow_invalid("objectType must be 'rest' for this source")
    if params.get("fileType", "json").lower() != "json":
        raise flow_invalid("fileType must be 'json' for this source")
    if "sourceParams" not in params:
        raise flow_invalid('sourceParams (base64 of {"resourcePath": ...}) is required')
    resource = _decode_source_params(params["sourceParams"]).get("resourcePath")
    if resource not in RESOURCE_PATHS:
        raise flow_invalid(f"resourcePath must be one of {', '.join(RESOURCE_PATHS)}, got {resource!r}")
    response = source_changes.explore_response(store, resource)
    if params.get("preview", "false").lower() == "true":
        response["data"] = [{"data": record} for record in source_changes.sample_records(store, resource)]
    return response


def _explore_tables(store: SandboxStore, params: Any) -> Any:
    tables = source_changes.tables(store)
    object_type = params.get("objectType", "").lower()
    if object_type == "root":
        return [
            {"type": "table", "name": name, "path": name, "canPreview": True, "canFetchSchema": True}
            for name in tables
        ]
    if object_type != "table":
        raise flow_invalid("objectType must be 'root' or 'table' for this source")
    path = params.get("object")
    if path not in tables:
        raise flow_invalid(f"object must be one of {', '.join(tables)}, got {path!r}")
    response: dict[str, Any] = {"format": "flat", "schema": {"columns": tables[path]["columns"]}}
    if params.get("preview", "false").lower() == "true":
        response["data"] = tables[path]["rows"]
    return response


@router.get("/connections/{connection_id}/explore")
async def explore(connection_id: str, request: Request, ctx: Ctx) -> Any:
    connection = get_connection(ctx.store, connection_id)
    if connection["connectionSpec"]["id"] == STRIPE_CONNECTION_SPEC_ID:
        return _explore_rest(ctx.store, request.query_params)
    return _explore_tables(ctx.store, request.query_params)


# ---------------------------------------------------------------- source connections
def _validate_source_connection(store: SandboxStore, body: dict[str, Any]) -> None:
    spec_id = _named_source_spec(body, "source connection spec")
    base_id = body.get("baseConnectionId")
    if not isinstance(base_id, str) or base_id not in store.connections:
        raise flow_invalid(f"baseConnectionId '{base_id}' does not refer to an existing base connection")
    if store.connections[base_id]["connectionSpec"]["id"] != spec_id:
        raise flow_invalid("connectionSpec.id must be the connection spec of the base connection")
    data = require_dict(body.get("data"), "data")
    params = require_dict(body.get("params", {}), "params")
    if spec_id == STRIPE_CONNECTION_SPEC_ID:
        if data.get("format") != "json":
            raise flow_invalid(f"data.format must be 'json' for this source, got {data.get('format')!r}")
        if params.get("resourcePath") not in RESOURCE_PATHS:
            raise flow_invalid(
                f"params.resourcePath must be one of {', '.join(RESOURCE_PATHS)}, "
                f"got {params.get('resourcePath')!r}"
            )
    else:
        if data.get("format") != "tabular":
            raise flow_invalid(
                f"data.format must be 'tabular' for table-based sources, got {data.get('format')!r}"
            )
        if params.get("path") not in fixtures.paypal_tables():
            raise flow_invalid(f"params.path {params.get('path')!r} is not a table of this source")


def _validate_target_connection(store: SandboxStore, body: dict[str, Any]) -> None:
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        raise flow_invalid("'name' is required")
    spec_id = spec_id_of(body, "connectionSpec")
    if spec_id != DATA_LAKE_CONNECTION_SPEC_ID:
        if spec_id in CONNECTION_SPECS:
            raise invalid_spec(
                spec_id, f"target connection spec (use the data lake {DATA_LAKE_CONNECTION_SPEC_ID})"
            )
        raise invalid_spec(spec_id)
    data = require_dict(body.get("data"), "data")
    if data.get("format") != TARGET_DATA_FORMAT:
        raise flow_invalid(f"data.format must be '{TARGET_DATA_FORMAT}', got {data.get('format')!r}")
    schema = require_dict(data.get("schema"), "data.schema")
    schema_id = schema.get("id")
    if not isinstance(schema_id, str) or find_schema(store, schema_id) is None:
        raise flow_invalid(f"data.schema.id '{schema_id}' does not exist in the Schema Registry")
    params = require_dict(body.get("params"), "params")
    dataset_id = params.get("dataSetId")
    dataset = store.datasets.get(dataset_id) if isinstance(dataset_id, str) else None
    if dataset is None:
        raise flow_invalid(f"params.dataSetId '{dataset_id}' does not exist in Catalog")
    dataset_schema = dataset.get("schemaRef", {}).get("id")
    if dataset_schema != schema_id:
        raise schema_mismatch(dataset_id, str(dataset_schema), schema_id)


def schema_mismatch(dataset_id: Any, dataset_schema: str, other_schema: str) -> ApiError:
    return flow_error(
        "1425-400",
        "Invalid request",
        f"Error while matching schema in target dataset {dataset_id} ({dataset_schema}) with schema "
        f"{other_schema}. Schema with same id and version must be used in both mapping and target dataset.",
    )


def _connection_record(ctx: RequestContext, body: dict[str, Any], etag: str) -> Resource:
    """The fields every Flow Service connection (base, source, target) carries."""
    return {
        "id": new_id(),
        **audit_fields(ctx),
        "name": body["name"],
        "description": body.get("description", ""),
        "connectionSpec": {
            "id": body["connectionSpec"]["id"],
            "version": body["connectionSpec"].get("version", "1.0"),
        },
        "state": "enabled",
        "etag": etag,
        "version": etag,
    }


def _connection_resource(ctx: RequestContext, body: dict[str, Any], etag: str) -> Resource:
    resource: Resource = {
        **_connection_record(ctx, body, etag),
        "data": copy.deepcopy(body.get("data", {})),
        "params": copy.deepcopy(body.get("params", {})),
    }
    if "baseConnectionId" in body:
        resource["baseConnectionId"] = body["baseConnectionId"]
    return resource


def _register_connection_collection(collection: str, attr: str) -> None:
    validate = (
        _validate_source_connection if collection == "sourceConnections" else _validate_target_connection
    )

    def store_of(ctx: RequestContext) -> dict[str, Resource]:
        items: dict[str, Resource] = getattr(ctx.store, attr)
        return items

    def get_one(ctx: RequestContext, item_id: str) -> Resource:
        item = store_of(ctx).get(item_id)
        if item is None:
            raise flow_not_found(collection, item_id)
        return item

    @router.post(f"/{collection}", status_code=201, name=f"create_{collection}")
    async def create(request: Request, ctx: Ctx) -> Response:
        body = require_dict(await json_body(request), "body")
        validate(ctx.store, body)
        resource = _connection_resource(ctx, body, new_etag())
        store_of(ctx)[resource["id"]] = resource
        return created(collection, resource["id"], resource["etag"])

    @router.get(f"/{collection}", name=f"list_{collection}")
    async def list_items(request: Request, ctx: Ctx) -> Any:
        return list_response(
            [copy.deepcopy(i) for i in store_of(ctx).values()],
            request.query_params,
            collection,
            ctx.config.page_size,
        )

    @router.get(f"/{collection}/{{item_id}}", name=f"get_{collection}")
    async def get_item(item_id: str, ctx: Ctx) -> Any:
        return single(copy.deepcopy(get_one(ctx, item_id)))

    @router.patch(f"/{collection}/{{item_id}}", name=f"patch_{collection}")
    async def patch_item(item_id: str, request: Request, ctx: Ctx) -> Any:
        item = get_one(ctx, item_id)
        check_if_match(request, item)
        updated = patched(item, await json_body(request), (*PROTECTED, "baseConnectionId"))
        validate(ctx.store, updated)
        touch(updated, ctx, new_etag())
        store_of(ctx)[item_id] = updated
        return {"id": item_id, "etag": updated["etag"]}

    @router.delete(f"/{collection}/{{item_id}}", status_code=204, name=f"delete_{collection}")
    async def delete_item(item_id: str, ctx: Ctx) -> Response:
        get_one(ctx, item_id)
        key = "sourceConnectionIds" if collection == "sourceConnections" else "targetConnectionIds"
        users = [f["id"] for f in ctx.store.flows.values() if item_id in f.get(key, [])]
        if users:
            raise flow_error("1447-400", "Invalid request", f"Found active flows containing id {item_id}.")
        del store_of(ctx)[item_id]
        return Response(status_code=204)


_register_connection_collection("sourceConnections", "source_connections")
_register_connection_collection("targetConnections", "target_connections")
