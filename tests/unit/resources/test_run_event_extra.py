"""The Asset event extra that carries a run, and reading it back (pure functions)."""

from __future__ import annotations

import json

from airflow_provider_stripe_aep.resources.run_status import (
    SuccessPolicy,
    run_event_extra,
    run_window_ms,
    runs_in_events,
    summarize_run,
)

# 1 failed record in 100 is over AEP's 0.5 % rule (the default policy); this run's policy allows it.
ALLOW_1_PERCENT = SuccessPolicy(max_failed_ratio=0.05)

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


def test_the_extra_holds_run_window_status_and_counts_as_json():
    summary = summarize_run(RUN, ALLOW_1_PERCENT)
    assert summary["window_ms"] == (1773014400000, 1773100800000)  # as the run reports it
    assert summary["bytes"] == {"inputBytes": 24012, "outputBytes": 17128}
    extra = run_event_extra(summary, summary["window_ms"])
    assert extra == {
        "run_id": "run-1",
        "flow_id": "flow-1",
        "status": "success",
        "succeeded": True,
        "counts": {"inputRecordCount": 100, "outputRecordCount": 99, "failedRecordCount": 1},
        "window_start_ms": 1773014400000,
        "window_end_ms": 1773100800000,
        "started_at_ms": 1773100800000,
        "completed_at_ms": 1773100860500,
        "duration_seconds": 60.5,
        "errors": [],
    }
    assert json.loads(json.dumps(extra)) == extra


def test_unknown_window_and_times_are_none():
    summary = summarize_run({"id": "r", "metrics": {"statusSummary": {"status": "success"}}})
    extra = run_event_extra(summary)
    assert extra["window_start_ms"] is None and extra["started_at_ms"] is None and extra["counts"] == {}
    assert summary["window_ms"] is None and summary["bytes"] == {}
    assert run_window_ms({"activities": [{"id": "copyActivity"}]}) is None


def test_runs_in_events_keeps_events_that_carry_a_run():
    extra = run_event_extra(summarize_run(RUN, ALLOW_1_PERCENT), run_window_ms(RUN))
    assert runs_in_events([{}, {"note": "manual"}, None, extra]) == [extra]


def test_the_window_is_read_under_the_spec_spelling_of_activities():
    spec_run = {("activites" if k == "activities" else k): v for k, v in RUN.items()}
    assert run_window_ms(spec_run) == run_window_ms(RUN) == (1773014400000, 1773100800000)


def test_runs_read_back_from_json_text_as_airflow_2_alias_events_carry_them() -> None:
    import json

    from airflow_provider_stripe_aep.resources.run_status import runs_in_events

    extra = {
        "run_id": "r1",
        "counts": {"outputRecordCount": 5},
        "errors": [{"code": "X"}],
        "status": "success",
    }
    as_text = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in extra.items()}
    assert runs_in_events([as_text]) == runs_in_events([extra]) == [extra]


def test_triggering_runs_reads_either_airflow_versions_context_key() -> None:
    from types import SimpleNamespace

    from airflow_provider_stripe_aep.resources.run_status import triggering_runs

    extra = run_event_extra(summarize_run(RUN, ALLOW_1_PERCENT), run_window_ms(RUN))
    batches = {
        "aep://prod/datasets/x": [SimpleNamespace(extra={"note": "manual"}), SimpleNamespace(extra=extra)]
    }
    assert triggering_runs({"triggering_asset_events": batches}) == [extra]
    assert triggering_runs({"triggering_dataset_events": batches}) == [extra]
    assert triggering_runs({"triggering_asset_events": {}}) == triggering_runs({}) == []
