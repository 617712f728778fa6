"""Apache Airflow provider: onboard Stripe payments data into Adobe Experience Platform."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def get_provider_info() -> dict[str, Any]:
    """Provider metadata read by Airflow's providers manager (entry point `apache_airflow_provider`)."""
    return {
        "package-name": "airflow-provider-stripe-aep",
        "name": "Stripe to Adobe Experience Platform",
        "description": "Onboard Stripe payments data into Adobe Experience Platform through the Flow Service API.",
        "versions": [__version__],
        "connection-types": [
            {
                "connection-type": "adobe_experience_platform",
                "hook-class-name": "airflow_provider_stripe_aep.hooks.aep.AdobeExperiencePlatformHook",
            },
            {
                "connection-type": "stripe",
                "hook-class-name": "airflow_provider_stripe_aep.hooks.stripe.StripeHook",
            },
        ],
        "hook-class-names": [
            "airflow_provider_stripe_aep.hooks.aep.AdobeExperiencePlatformHook",
            "airflow_provider_stripe_aep.hooks.stripe.StripeHook",
        ],
    }
