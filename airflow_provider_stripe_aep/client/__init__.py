"""A plain-Python AEP client (no Airflow import): the hook, the trigger and the tests share it.

Importing this package loads only the errors and the config: `requests` and the services are
imported when a client is built, so DAG files that import operators parse fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from airflow_provider_stripe_aep.client.config import AEPClientConfig, RetryPolicy
from airflow_provider_stripe_aep.client.errors import (
    AEPAmbiguousError,
    AEPAuthError,
    AEPConflictError,
    AEPError,
    AEPMalformedResponseError,
    AEPNotFoundError,
    AEPResourceConflictError,
    AEPServerError,
    AEPThrottledError,
    AEPValidationError,
)

if TYPE_CHECKING:
    import requests


class AEPClient:
    """One authenticated session and the services the onboarding uses (and Data Access, for the
    diagnostics of failed records)."""

    def __init__(
        self,
        config: AEPClientConfig,
        *,
        session: requests.Session | None = None,
        on_secret: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        from airflow_provider_stripe_aep.client.catalog import CatalogAPI
        from airflow_provider_stripe_aep.client.data_access import DataAccessAPI
        from airflow_provider_stripe_aep.client.data_prep import DataPrepAPI
        from airflow_provider_stripe_aep.client.flow_service import FlowServiceAPI
        from airflow_provider_stripe_aep.client.http import AEPHttpClient
        from airflow_provider_stripe_aep.client.schema_registry import SchemaRegistryAPI

        self.http = AEPHttpClient(config, session=session, on_secret=on_secret, sleep=sleep)
        self.flows = FlowServiceAPI(self.http)
        self.schemas = SchemaRegistryAPI(self.http)
        self.catalog = CatalogAPI(self.http)
        self.data_prep = DataPrepAPI(self.http)
        self.data_access = DataAccessAPI(self.http)

    def __repr__(self) -> str:
        return f"AEPClient({self.http!r})"


__all__ = [
    "AEPAmbiguousError",
    "AEPAuthError",
    "AEPClient",
    "AEPClientConfig",
    "AEPConflictError",
    "AEPError",
    "AEPMalformedResponseError",
    "AEPNotFoundError",
    "AEPResourceConflictError",
    "AEPServerError",
    "AEPThrottledError",
    "AEPValidationError",
    "RetryPolicy",
]
