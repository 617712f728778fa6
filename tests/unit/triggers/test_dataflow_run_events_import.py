"""The AssetWatcher's trigger module imports on Airflow 3 and is refused on Airflow 2 with a message
naming Airflow 3 (checked for real on 2.11 by `make test AIRFLOW_VERSION=2.11.0`)."""

from __future__ import annotations

import importlib
import sys
from importlib.metadata import version

import pytest

from airflow_provider_stripe_aep import version_compat
from airflow_provider_stripe_aep.version_compat import NeedsAirflow3Error

MODULE = "airflow_provider_stripe_aep.triggers.dataflow_run_events"
AIRFLOW_2 = version("apache-airflow").startswith("2.")


def _import_fresh():
    sys.modules.pop(MODULE, None)
    return importlib.import_module(MODULE)


def test_the_import_matches_the_running_airflow():
    if AIRFLOW_2:
        with pytest.raises(NeedsAirflow3Error, match=r"needs Airflow 3 .*this is Airflow 2\."):
            _import_fresh()
    else:
        assert _import_fresh().AEPDataflowRunEventTrigger.__name__ == "AEPDataflowRunEventTrigger"


def test_an_airflow_2_version_is_refused_naming_airflow_3(monkeypatch):
    monkeypatch.setattr(version_compat, "AIRFLOW_VERSION", "2.11.0")
    monkeypatch.setattr(version_compat, "AIRFLOW_V_3_0_PLUS", False)
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    with pytest.raises(NeedsAirflow3Error, match=r"needs Airflow 3 .*this is Airflow 2\.11\.0"):
        importlib.import_module(MODULE)
