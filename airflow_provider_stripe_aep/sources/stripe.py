"""Constants of the Stripe source, as Adobe documents them (AEP-wide IDs: ``resources/platform.py``)."""

from __future__ import annotations

STRIPE_CONNECTION_SPEC_ID = "cc2c31d6-7b8c-4581-b49f-5c8698aa3ab3"
STRIPE_AUTH_SPEC_NAME = "OAuth2 Refresh Code"
STRIPE_DATA_FORMAT = "json"

RESOURCE_PATHS: tuple[str, ...] = (
    "charges",
    "subscriptions",
    "refunds",
    "balance_transactions",
    "customers",
    "prices",
)
