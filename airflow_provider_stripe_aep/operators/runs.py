"""Deprecated: the on-demand run operator lives in :mod:`airflow_provider_stripe_aep.operators.dataflow_run`
(named like the sensor and trigger of the same thing). This alias goes in the next release."""

from __future__ import annotations

import warnings

from airflow_provider_stripe_aep.operators.dataflow_run import AEPTriggerDataflowRunOperator

warnings.warn(
    "airflow_provider_stripe_aep.operators.runs is deprecated; import AEPTriggerDataflowRunOperator from "
    "airflow_provider_stripe_aep.operators.dataflow_run",
    DeprecationWarning,
    stacklevel=2,
)

__all__ = ["AEPTriggerDataflowRunOperator"]
