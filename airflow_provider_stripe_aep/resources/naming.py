"""The names an onboarding gives the AEP resources it creates.

Names are how every step finds its resource again (AEP has no unique-name constraint), and how the
ingest and teardown DAGs find what an onboarding made, so they are built in this one place. The
arguments may be literal values or Jinja templates (`"{{ params.name_prefix }}"`).
"""

from __future__ import annotations

from typing import NamedTuple


class OnboardingNames(NamedTuple):
    base_connection: str
    source_connection: str
    schema: str
    field_group: str
    dataset: str
    target_connection: str
    mapping_set: str
    dataflow: str


def base_connection_name(name_prefix: str, source_label: str = "Stripe") -> str:
    return f"{name_prefix} {source_label} base connection"


def onboarding_names(name_prefix: str, resource: str, source_label: str = "Stripe") -> OnboardingNames:
    """Names of the resources of one onboarded resource (a Stripe resource path or a table)."""
    stem = f"{name_prefix} {source_label} {resource}"
    return OnboardingNames(
        base_connection=base_connection_name(name_prefix, source_label),
        source_connection=f"{stem} source connection",
        schema=stem,
        field_group=f"{stem} fields",
        dataset=f"{stem} dataset",
        target_connection=f"{stem} target connection",
        mapping_set=f"{stem} mapping",
        dataflow=f"{stem} dataflow",
    )
