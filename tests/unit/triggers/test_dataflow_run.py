from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.resources.run_status import summarize_run
from airflow_provider_stripe_aep.triggers.dataflow_run import AEPDataflowRunTrigger, validate_run_event

SUMMARY = summarize_run({"id": "r", "metrics": {"statusSummary": {"status": "success"}}})


def test_a_well_formed_event_passes():
    event = {"status": "success", "flow_id": "f", "summary": SUMMARY, "message": "", "permanent": False}
    assert validate_run_event(event) == event


@pytest.mark.parametrize(
    "event",
    [
        None,
        {"status": "done"},
        {"status": "success", "flow_id": "f", "message": "", "permanent": False},
        {"status": "failed", "flow_id": "f", "summary": None, "message": "", "permanent": False},
    ],
)
def test_malformed_events_are_refused(event):
    with pytest.raises(ValueError):
        validate_run_event(event)


def test_the_trigger_round_trips_its_selector_and_policy():
    trigger = AEPDataflowRunTrigger(
        flow_id="f",
        aep_conn_id="aep_default",
        poll_interval=1.0,
        end_time=10.0,
        started_after_ms=5,
        fallback_to_latest=True,
        allow_partial_success=False,
        max_failed_ratio=0.1,
    )
    path, kwargs = trigger.serialize()
    again = AEPDataflowRunTrigger(**kwargs)
    assert (again.selector, again.policy) == (trigger.selector, trigger.policy)
    assert path.endswith("triggers.dataflow_run.AEPDataflowRunTrigger")
