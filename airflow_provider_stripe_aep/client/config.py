"""Settings of one AEP client: where to call, as whom, and how hard to retry."""

from __future__ import annotations

from dataclasses import dataclass, field

from airflow_provider_stripe_aep.client.defaults import (
    DEFAULT_BASE_URL,
    DEFAULT_IMS_TOKEN_URL,
    DEFAULT_SANDBOX,
    DEFAULT_SCOPES,
    DEFAULT_TIMEOUT,
    IMS_TOKEN_PATH,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_IMS_TOKEN_URL",
    "DEFAULT_SANDBOX",
    "DEFAULT_SCOPES",
    "DEFAULT_TIMEOUT",
    "IMS_TOKEN_PATH",
    "AEPClientConfig",
    "RetryPolicy",
]


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds for automatic retries: attempts, backoff, and total time."""

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_retry_after: float = 60.0
    total_timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"Invalid max_attempts {self.max_attempts!r}: must be at least 1.")
        for name in ("backoff_base", "backoff_max", "max_retry_after", "total_timeout"):
            if getattr(self, name) < 0:
                raise ValueError(f"Invalid {name} {getattr(self, name)!r}: must not be negative.")


@dataclass(frozen=True)
class AEPClientConfig:
    """Everything an AEPClient needs. `client_secret` and `access_token` never appear in repr()."""

    client_id: str
    org_id: str
    client_secret: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    sandbox: str = DEFAULT_SANDBOX
    scopes: str = DEFAULT_SCOPES
    ims_token_url: str = DEFAULT_IMS_TOKEN_URL
    access_token: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = 10.0
    verify: bool | str = True
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    name: str = "aep"
    """How errors name this client's settings (the Airflow connection ID); empty for a connection
    under test, whose ID is Airflow's random one."""
