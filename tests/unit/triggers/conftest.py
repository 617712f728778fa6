"""The AssetWatcher's trigger exists on Airflow 3 only; on 2.x only its import refusal is tested."""

from __future__ import annotations

from importlib.metadata import version

collect_ignore = ["test_dataflow_run_events.py"] if version("apache-airflow").startswith("2.") else []
