"""Packaged fixture data: explore responses and sample records (read through importlib.resources)."""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from airflow_provider_stripe_aep.sources.stripe import RESOURCE_PATHS


@cache
def _load(name: str) -> Any:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


def explore_response(resource_path: str) -> dict[str, Any]:
    """The explore response (``preview=false``) for one Stripe resource path."""
    if resource_path not in RESOURCE_PATHS:
        raise KeyError(resource_path)
    return copy.deepcopy(_load(f"explore_{resource_path}.json"))


def sample_records(resource_path: str) -> list[dict[str, Any]]:
    """Sample Stripe objects of one resource path (what a run "ingests")."""
    if resource_path not in RESOURCE_PATHS:
        raise KeyError(resource_path)
    return copy.deepcopy(_load(f"samples_{resource_path}.json"))


def paypal_tables() -> dict[str, Any]:
    """Tables of the PayPal-like table-based source: ``{path: {"columns": [...], "rows": [...]}}``."""
    return copy.deepcopy(_load("paypal_tables.json"))
