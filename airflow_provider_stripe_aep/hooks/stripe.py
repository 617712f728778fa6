"""Hook for the `stripe` connection: hands the Stripe secret key to the base-connection step."""

from __future__ import annotations

from typing import Any

from airflow.providers.common.compat.sdk import BaseHook, mask_secret

from airflow_provider_stripe_aep.get_provider_info import field_behaviour
from airflow_provider_stripe_aep.validation import InvalidInputError


class StripeHook(BaseHook):
    """Reads the Stripe secret API key from the connection's password and masks it in logs.

    :param stripe_conn_id: the `stripe` connection to read.
    """

    conn_name_attr = "stripe_conn_id"
    default_conn_name = "stripe_default"
    conn_type = "stripe"
    hook_name = "Stripe"

    def __init__(self, stripe_conn_id: str = default_conn_name) -> None:
        super().__init__()
        self.stripe_conn_id = stripe_conn_id

    def get_api_key(self) -> str:
        key = (self.get_connection(self.stripe_conn_id).password or "").strip()
        if not key:
            # InvalidInputError: a permanent error, the task fails at once rather than retrying.
            error = InvalidInputError("password", None, "required")
            error.args = (
                f"Connection {self.stripe_conn_id!r}: Stripe secret API key (password) is missing: "
                "copy it from Dashboard > Developers > API keys.",
            )
            raise error
        mask_secret(key)
        return key

    def test_connection(self) -> tuple[bool, str]:
        """Say whether the key looks like a Stripe secret or restricted key; no request to Stripe."""
        key = self.get_connection(self.stripe_conn_id).password
        if key:
            mask_secret(key)
        from airflow_provider_stripe_aep.hooks.connection_check import check_stripe_key  # loads the client

        return check_stripe_key(key)

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Airflow 2 form; Airflow 3 reads the same from `get_provider_info()`."""
        return field_behaviour("stripe")
