"""Platform gateway checks (reference §1.2): auth token, API key, org, sandbox, content type."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from airflow_provider_stripe_aep.emulator.config import EmulatorConfig
from airflow_provider_stripe_aep.emulator.errors import (
    ApiError,
    bad_content_type,
    flow_error,
    gateway_error,
    service_error,
    service_of,
)
from airflow_provider_stripe_aep.emulator.state import EmulatorState, SandboxStore

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass
class RequestContext:
    """What a platform handler knows about the caller once the gateway let the request in."""

    state: EmulatorState
    store: SandboxStore
    sandbox: str
    org: str
    client_id: str

    @property
    def config(self) -> EmulatorConfig:
        return self.state.config

    @property
    def user(self) -> str:
        return f"{self.client_id}@AdobeID"


def emulator_state(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def _has_body(request: Request) -> bool:
    if request.headers.get("transfer-encoding", "").lower() == "chunked":
        return True
    try:
        return int(request.headers.get("content-length", "0")) > 0
    except ValueError:
        return False


def _sandbox_missing(path: str) -> ApiError:
    """Flow Service documents ``FLOW-2105-400``; the other services answer in their own format."""
    message = (
        "The header x-sandbox-name is missing in the request. Please add the header in the request "
        "and try again."
    )
    if service_of(path) == "flow":
        return flow_error("2105-400", "Header is missing", message)
    return service_error(path, 400, message)


def _sandbox_not_found(path: str, sandbox: str) -> ApiError:
    hint = " Sandbox names are all lowercase." if sandbox != sandbox.lower() else ""
    message = (
        f"The sandbox with the name '{sandbox}' could not be found. Error from Sandbox Management API: "
        f"Sandbox with name '{sandbox}' not present. Please check if resource exists.{hint}"
    )
    if service_of(path) == "flow":
        return flow_error("2101-404", "Sandbox not found", message)
    return service_error(path, 404, message)


async def platform_context(request: Request) -> RequestContext:
    """FastAPI dependency of every ``/data/foundation`` route."""
    state = emulator_state(request)
    headers = request.headers
    auth = headers.get("authorization", "").strip()
    if not auth:
        raise gateway_error(403, "403010", "Oauth token is missing.")
    scheme, _, token = auth.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise gateway_error(401, "401013", "Oauth token is not valid")
    info = state.token_info(token)
    if info is None:
        raise gateway_error(401, "401013", "Oauth token is not valid")
    api_key = headers.get("x-api-key", "").strip()
    if not api_key:
        raise gateway_error(403, "403000", "Api Key is required")
    if info.client_id is not None and api_key != info.client_id:
        raise gateway_error(403, "403003", "Api Key is invalid")
    org = headers.get("x-gw-ims-org-id", "").strip()
    if not org:
        raise gateway_error(400, "400003", "Missing header: x-gw-ims-org-id")
    if not org.endswith("@AdobeOrg") or org == "@AdobeOrg":
        raise gateway_error(400, "400003", "Invalid header: x-gw-ims-org-id must look like {ORG_ID}@AdobeOrg")
    sandbox = headers.get("x-sandbox-name", "").strip()
    if not sandbox:
        raise _sandbox_missing(request.url.path)
    if sandbox not in state.sandboxes:
        raise _sandbox_not_found(request.url.path, sandbox)
    if request.method in BODY_METHODS and _has_body(request):
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            raise bad_content_type()
    return RequestContext(
        state=state,
        store=state.sandbox(sandbox),
        sandbox=sandbox,
        org=org,
        client_id=info.client_id or api_key,
    )


async def json_body(request: Request, *, required: bool = True) -> Any:
    """The parsed JSON body; a generic 400 when it is missing or not JSON."""
    raw = await request.body()
    if not raw.strip():
        if required:
            message = "The request body cannot be null or empty. Please provide a request body and try again."
            if service_of(request.url.path) == "flow":
                raise flow_error("1405-400", "Invalid request", message)
            raise service_error(request.url.path, 400, message)
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            {
                "type": "/placeholder/type/uri",
                "status": 400,
                "title": "BadRequestError",
                "detail": f"The request body is not valid JSON: {exc.msg} (line {exc.lineno})",
            },
        ) from None


Ctx = Annotated[RequestContext, Depends(platform_context)]
