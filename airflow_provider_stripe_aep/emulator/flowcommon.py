"""Helpers shared by the Flow Service routers: audit fields, 201 responses, If-Match, JSON Patch."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from airflow_provider_stripe_aep.emulator import jsonpatch
from airflow_provider_stripe_aep.emulator.errors import flow_error, flow_invalid
from airflow_provider_stripe_aep.emulator.gateway import RequestContext
from airflow_provider_stripe_aep.emulator.state import Resource, now_ms

PREFIX = "/data/foundation/flowservice"
FLOW_PATCH_OPS = frozenset({"add", "replace", "remove"})


def audit_fields(ctx: RequestContext) -> dict[str, Any]:
    now = now_ms()
    return {
        "createdAt": now,
        "updatedAt": now,
        "createdBy": ctx.user,
        "updatedBy": ctx.user,
        "createdClient": ctx.client_id,
        "updatedClient": ctx.client_id,
        "sandboxId": ctx.sandbox,
        "sandboxName": ctx.sandbox,
        "imsOrgId": ctx.org,
    }


def touch(resource: Resource, ctx: RequestContext, etag: str) -> None:
    resource["updatedAt"] = now_ms()
    resource["updatedBy"] = ctx.user
    resource["updatedClient"] = ctx.client_id
    resource["etag"] = etag
    resource["version"] = etag


def created(collection: str, resource_id: str, etag: str) -> JSONResponse:
    return JSONResponse(
        {"id": resource_id, "etag": etag},
        status_code=201,
        headers={"Location": f"{PREFIX}/{collection}/{resource_id}"},
    )


def _normalise_etag(value: str) -> str:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def check_if_match(request: Request, resource: Resource) -> None:
    supplied = request.headers.get("if-match")
    if not supplied:
        raise flow_error(
            "1403-400",
            "Header is missing",
            "The header 'If-Match' is missing in the request. Please provide the header and try again.",
        )
    if _normalise_etag(supplied) != _normalise_etag(resource["etag"]):
        raise flow_error(
            "1404-412",
            "Version not matching",
            f"The supplied version '{supplied}' does not match the current version on entity "
            f"'{resource['id']}'. Please ensure that the supplied version matches the current version on "
            "entity and try again.",
        )


def patched(resource: Resource, operations: Any, protected: tuple[str, ...]) -> Resource:
    """Apply a Flow Service JSON Patch (add/replace/remove only) to a copy of ``resource``."""
    if isinstance(operations, list):
        for op in operations:
            name = op.get("op") if isinstance(op, dict) else None
            if name not in FLOW_PATCH_OPS:
                raise flow_error(
                    "1434-400",
                    "Invalid request",
                    f"Unsupported operation '{name}' received. Please use one of the supported "
                    "operation types "
                    "and try again.",
                )
            path = str(op.get("path", ""))
            if path.split("/")[1:2] and path.split("/")[1] in protected:
                if path.startswith("/connectionSpec"):
                    raise flow_error(
                        "1414-400",
                        "Invalid request",
                        "The connection spec of a connection cannot be updated.",
                    )
                raise flow_invalid(f"The field '{path}' cannot be updated.")
    try:
        return jsonpatch.apply_patch(resource, operations, FLOW_PATCH_OPS)
    except jsonpatch.PatchError as exc:
        raise flow_error(
            "1455-400",
            "Invalid request",
            f"An error has occurred while validating patch instructions: {exc}",
        ) from None


def require_dict(body: Any, name: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise flow_invalid(f"'{name}' must be a JSON object")
    return body


def spec_id_of(body: dict[str, Any], field: str) -> str:
    ref = body.get(field)
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str):
        raise flow_invalid(f"'{field}.id' is required")
    return str(ref["id"])


def single(resource: Resource) -> dict[str, Any]:
    return {"items": [resource]}
