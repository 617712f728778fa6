"""The FastAPI application: all services on one port."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from airflow_provider_stripe_aep.emulator import (
    admin,
    catalog,
    connections,
    data_access,
    data_prep,
    flows,
    ims,
    schema_registry,
)
from airflow_provider_stripe_aep.emulator.config import EmulatorConfig
from airflow_provider_stripe_aep.emulator.errors import ApiError, ims_error, service_error
from airflow_provider_stripe_aep.emulator.faults import EmulatorMiddleware, FaultInjector, install_log_filter
from airflow_provider_stripe_aep.emulator.state import EmulatorState


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


async def _framework_error(request: Request, exc: Exception) -> JSONResponse:
    """Unknown paths and methods get the owning service's error body, never the framework's
    ``{"detail": ...}``; nothing is redirected."""
    path, method = request.url.path, request.method
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 400
    headers: dict[str, str] = {}
    if status == 405:
        detail = f"The method {method} is not supported for {path}."
        headers["Allow"] = (getattr(exc, "headers", None) or {}).get("Allow", "")
    elif status == 404:
        detail = f"No resource is found at {path}. Check the path."
    else:
        detail = f"The request {method} {path} is not valid."
    if path.startswith("/ims/"):
        error = ims_error("invalid_request", detail)
        error.status = status
    else:
        error = service_error(path, status, detail)
    return JSONResponse(error.body, status_code=error.status, headers={**headers, **error.headers})


class TrailingSlash:
    """Serve ``/path/`` as ``/path``: the real services accept both. Adobe's own client (aepp) sends
    ``GET /schemaregistry/stats/`` and ``POST /tenant/fieldgroups/`` to them (API reference §8a)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope.get("type") == "http" and len(path) > 1 and path.endswith("/"):
            scope = {**scope, "path": path.rstrip("/") or "/"}
            if scope.get("raw_path"):
                scope["raw_path"] = scope["raw_path"].rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """Build an app; ``app.state.emulator`` is the in-memory store, ``app.state.faults`` the rules."""
    config = config or EmulatorConfig()
    app = FastAPI(title="AEP emulator", docs_url=None, redoc_url=None, openapi_url=None)
    state = EmulatorState(config)
    injector = FaultInjector(config.faults, config.seed)
    app.state.emulator = state
    app.state.faults = injector
    app.router.redirect_slashes = False
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _framework_error)
    app.add_exception_handler(RequestValidationError, _framework_error)
    for module in (ims, connections, flows, schema_registry, catalog, data_prep, data_access, admin):
        app.include_router(module.router)
    app.add_middleware(EmulatorMiddleware, state=state, injector=injector)
    app.add_middleware(TrailingSlash)
    install_log_filter()
    return app
