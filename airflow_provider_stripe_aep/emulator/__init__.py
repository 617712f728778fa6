"""A local, in-memory Adobe Experience Platform: IMS, Flow Service, Schema Registry, Catalog, Data Prep.

Written from the API reference only; it shares no code with the client, hook or operators.
"""

from __future__ import annotations

from airflow_provider_stripe_aep.emulator.app import create_app
from airflow_provider_stripe_aep.emulator.config import EmulatorConfig, FaultRule
from airflow_provider_stripe_aep.emulator.server import EmulatorServer

__all__ = ["EmulatorConfig", "EmulatorServer", "FaultRule", "create_app"]
