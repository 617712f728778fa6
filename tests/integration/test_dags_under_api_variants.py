"""The onboarding, the ingest and the teardown DAGs (dag.test() over real HTTP) against the emulator
answering as Adobe's tutorials do and as its OpenAPI specs do (API reference §8a; docs/api-notes.md).
One onboarding resource per variant keeps the added time small."""

from __future__ import annotations

import pendulum
import pytest
from aep_testing import requests_to, run_dag
from test_ingest_dag import test_ingest
from test_teardown_dag import named

from airflow_provider_stripe_aep.emulator import EmulatorConfig
from airflow_provider_stripe_aep.emulator.config import API_VARIANTS
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

PREFIX = "Variant"
LOGICAL_DATE = pendulum.datetime(2026, 4, 1, tz="UTC")


@pytest.fixture(params=API_VARIANTS)
def emulator_config(request) -> EmulatorConfig:
    return EmulatorConfig(run_seconds=0.5, run_interval_seconds=1.0, api_variant=request.param)


@pytest.mark.slow
@pytest.mark.usefixtures("airflow_db")
def test_onboarding_ingest_and_teardown_under_each_variant(connections):
    aep = connections
    variant = aep.config.api_variant
    onboarded, xcom = run_dag(
        "stripe_to_aep_onboarding", {"name_prefix": PREFIX, "resource_path": "refunds", "poll_interval": 0.2}
    )
    assert str(onboarded.state).endswith("success"), variant
    flow_id = str(xcom[("create_dataflow", "return_value")])

    conf = {"name_prefix": PREFIX, "resource_path": "refunds", "poll_interval": 0.2}
    first, first_xcom = test_ingest({**conf, "deferrable": True}, LOGICAL_DATE)  # the run read in the trigger
    assert str(first.state).endswith("success"), variant
    assert (
        len(requests_to(aep, method="POST", suffix="/flowservice/runs")) == 1
    )  # one POST /runs for the interval
    run_id = first_xcom[("ingest_interval", "return_value")]
    assert run_id in aep.state.sandbox("prod").runs
    assert first_xcom[("ingest_interval", "run")]["status"] == "success"

    again, again_xcom = test_ingest(conf, LOGICAL_DATE)  # the same interval once more
    assert str(again.state).endswith("success")
    assert len(requests_to(aep, method="POST", suffix="/flowservice/runs")) == 1
    assert again_xcom[("ingest_interval", "return_value")] == run_id

    following, following_xcom = test_ingest(conf, LOGICAL_DATE.add(days=1))
    assert str(following.state).endswith("success")
    assert (
        len(requests_to(aep, method="POST", suffix="/flowservice/runs")) == 2
    )  # the next interval: one more
    assert following_xcom[("ingest_interval", "return_value")] != run_id

    hook = AdobeExperiencePlatformHook()
    assert hook.set_dataflow_enabled(flow_id, False) is True
    assert hook.set_dataflow_enabled(flow_id, True) is True

    torn, torn_xcom = run_dag(
        "stripe_to_aep_teardown", {"name_prefix": PREFIX, "delete_data_resources": True}
    )
    assert str(torn.state).endswith("success")
    assert named(aep.state.sandbox("prod"), PREFIX) == {}
    assert torn_xcom[("teardown", "return_value")]["deleted"]


@pytest.mark.usefixtures("airflow_db")
def test_a_schedule_read_back_in_the_variant_spelling_is_not_patched_again(connections):
    """Tutorial GETs spell `"backfill": "true"`, spec GETs `true`: an update to the same schedule is a
    no-op under both (it used to compare `"True"` with `"true"` and PATCH on every update)."""
    from aep_testing import onboard

    from airflow_provider_stripe_aep.validation import validate_schedule

    aep = connections
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook, validate_schedule("hour", 1, backfill=True))
    read_back = hook.get_dataflow(flow_id)["scheduleParams"]
    expected = "true" if aep.config.api_variant == "tutorial" else True
    assert read_back["backfill"] == expected
    aep.state.request_log.clear()
    assert hook.update_dataflow(flow_id, {"frequency": "hour", "interval": 1, "backfill": True}) is None
    assert requests_to(aep, method="PATCH", suffix=f"/flows/{flow_id}") == []
    assert hook.update_dataflow(flow_id, {"frequency": "hour", "interval": 2}) is not None
    assert hook.get_dataflow(flow_id)["scheduleParams"]["interval"] in ("2", 2)


def test_the_run_create_answer_is_read_in_each_variant_without_a_lookup(connections):
    """The spec's `{"id", "etag"}` used to count as ambiguous (no `items`): the client then looked the
    run up, and with no run echoing its params it sent POST /runs again, up to a dozen times."""
    from aep_testing import onboard

    from airflow_provider_stripe_aep.resources.run_status import window_params

    aep = connections
    hook = AdobeExperiencePlatformHook()
    flow_id = onboard(hook)
    aep.state.request_log.clear()
    params = window_params(1_775_001_600, 1_775_088_000, start_time=1_775_090_000)
    run_id = hook.client.flows.create_run(flow_id, params)
    assert run_id in aep.state.sandbox("prod").runs
    assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in aep.state.request_log] == [("POST", "runs")]
