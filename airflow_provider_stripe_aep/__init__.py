"""Apache Airflow provider: onboard Stripe payments data into Adobe Experience Platform."""

from __future__ import annotations

from airflow_provider_stripe_aep.get_provider_info import VERSION, get_provider_info

__version__ = VERSION

__all__ = ["__version__", "get_provider_info"]
