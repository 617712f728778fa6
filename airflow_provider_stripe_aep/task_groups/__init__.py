"""Building blocks to compose onboardings into your own DAGs."""

from __future__ import annotations

from airflow_provider_stripe_aep.task_groups.onboarding import (
    PAYPAL,
    OnboardingTaskGroup,
    TableSource,
    stripe_to_aep_onboarding_group,
    table_to_aep_onboarding_group,
)

__all__ = [
    "PAYPAL",
    "OnboardingTaskGroup",
    "TableSource",
    "stripe_to_aep_onboarding_group",
    "table_to_aep_onboarding_group",
]
