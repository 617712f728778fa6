"""The FastAPI application: all services on one port."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from airflow_provider_stripe_aep.emulator import (
    admin,
    catalog,
    connections,
    dataprep,
    flows,
    ims,
    schemaregistry,
)
from airflow_provider_stripe_aep.emulator.config import EmulatorConfig
from airflow_provider_stripe_aep.emulator.errors import ApiError
from airflow_provider_stripe_aep.emulator.faults import EmulatorMiddleware, FaultInjector, install_log_filter
from airflow_provider_stripe_aep.emulator.state import EmulatorState


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """Build an app; ``app.state.emulator`` is the in-memory store, ``app.state.faults`` the rules."""
    config = config or EmulatorConfig()
    app = FastAPI(title="AEP emulator", docs_url=None, redoc_url=None, openapi_url=None)
    state = EmulatorState(config)
    injector = FaultInjector(config.faults, config.seed)
    app.state.emulator = state
    app.state.faults = injector
    app.add_exception_handler(ApiError, _api_error)
    for module in (ims, connections, flows, schemaregistry, catalog, dataprep, admin):
        app.include_router(module.router)
    app.add_middleware(EmulatorMiddleware, state=state, injector=injector)
    install_log_filter()
    return app
