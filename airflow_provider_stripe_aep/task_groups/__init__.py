"""Building blocks to compose onboardings into your own DAGs."""

from __future__ import annotations

from airflow_provider_stripe_aep.task_groups.onboarding import (
    PAYPAL,
    STRIPE,
    OnboardingSettings,
    OnboardingSource,
    OnboardingTaskGroup,
    SourceSteps,
    StripeSource,
    TableSource,
    onboarding_group,
    stripe_to_aep_onboarding_group,
    table_to_aep_onboarding_group,
)

__all__ = [
    "PAYPAL",
    "STRIPE",
    "OnboardingSettings",
    "OnboardingSource",
    "OnboardingTaskGroup",
    "SourceSteps",
    "StripeSource",
    "TableSource",
    "onboarding_group",
    "stripe_to_aep_onboarding_group",
    "table_to_aep_onboarding_group",
]
