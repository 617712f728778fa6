"""The Asset event extra that carries a run, and reading it back (pure functions)."""

from __future__ import annotations

import json

from airflow_provider_stripe_aep.resources.run_status import (
    RUN_EVENT_KEYS,
    run_event_extra,
    run_window_ms,
    runs_in_events,
    summarize_run,
)

RUN = {
    "id": "run-1",
    "flowId": "flow-1",
    "metrics": {
        "durationSummary": {"startedAtUTC": 1773100800000, "completedAtUTC": 1773100860500},
        "sizeSummary": {"inputBytes": 24012, "outputBytes": 17128},
        "recordSummary": {"inputRecordCount": 100, "outputRecordCount": 99, "failedRecordCount": 1},
        "statusSummary": {"status": "success"},
    },
    "activities": [
        {
            "id": "copyActivity",
            "durationSummary": {"extensions": {"windowStart": 1773014400000, "windowEnd": 1773100800000}},
        }
    ],
}


def test_the_extra_holds_run_window_status_counts_and_bytes_as_json():
    summary = summarize_run(RUN)
    extra = run_event_extra(summary, run_window_ms(RUN))
    assert extra == {
        "aep_run_id": "run-1",
        "aep_flow_id": "flow-1",
        "status": "success",
        "window_start": "2026-03-09T00:00:00Z",
        "window_end": "2026-03-10T00:00:00Z",
        "started_at": "2026-03-10T00:00:00Z",
        "completed_at": "2026-03-10T00:01:00.500000Z",
        "counts": {"inputRecordCount": 100, "outputRecordCount": 99, "failedRecordCount": 1},
        "bytes": {"inputBytes": 24012, "outputBytes": 17128},
    }
    assert json.loads(json.dumps(extra)) == extra
    assert tuple(extra) == RUN_EVENT_KEYS


def test_unknown_window_and_times_are_none():
    extra = run_event_extra(summarize_run({"id": "r", "metrics": {"statusSummary": {"status": "success"}}}))
    assert extra["window_start"] is None and extra["started_at"] is None and extra["counts"] == {}
    assert run_window_ms({"activities": [{"id": "copyActivity"}]}) is None


def test_runs_in_events_keeps_events_that_carry_a_run():
    extra = run_event_extra(summarize_run(RUN), run_window_ms(RUN))
    assert runs_in_events([{}, {"note": "manual"}, None, extra]) == [extra]
