"""A client pointed at mocked platform and IMS URLs (requests-mock), for the client unit tests."""

from __future__ import annotations

from typing import Any

from airflow_provider_stripe_aep.client import AEPClient, AEPClientConfig, RetryPolicy

BASE = "https://platform.example"
IMS = "https://ims.example/ims/token/v3"
FLOWS = f"{BASE}/data/foundation/flowservice"
SCHEMAS = f"{BASE}/data/foundation/schemaregistry"
CATALOG = f"{BASE}/data/foundation/catalog"
CONVERSION = f"{BASE}/data/foundation/conversion"
ATTEMPTS = 3


def make_client(sleeps: list[float] | None = None, **retry: Any) -> AEPClient:
    """A client that makes `ATTEMPTS` attempts with tiny backoffs and records its sleeps."""
    policy = RetryPolicy(**{"max_attempts": ATTEMPTS, "backoff_base": 0.01, "backoff_max": 0.02, **retry})
    config = AEPClientConfig(
        client_id="cid",
        client_secret="sec-123456",
        org_id="O@AdobeOrg",
        base_url=BASE,
        ims_token_url=IMS,
        retry=policy,
    )
    return AEPClient(config, sleep=(sleeps if sleeps is not None else []).append)
