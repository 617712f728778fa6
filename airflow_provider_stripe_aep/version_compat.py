"""Which Airflow this is, read once (the official providers keep the same module)."""

from __future__ import annotations

from airflow import __version__ as AIRFLOW_VERSION

AIRFLOW_V_3_0_PLUS = int(AIRFLOW_VERSION.split(".", 1)[0]) >= 3


class NeedsAirflow3Error(ImportError):
    """Raised by importing a module that only works on Airflow 3 (AssetWatcher triggers)."""


__all__ = ["AIRFLOW_VERSION", "AIRFLOW_V_3_0_PLUS", "NeedsAirflow3Error"]
