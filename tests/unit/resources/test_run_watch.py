from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.resources.run_status import (
    run_event_extra,
    run_window_ms,
    runs_in_events,
    summarize_run,
)
from airflow_provider_stripe_aep.resources.run_watch import (
    DEFAULT_STATUSES,
    advance,
    check_statuses,
    newly_final,
    parse_watermark,
    raise_floor,
    start_watermark,
)
from airflow_provider_stripe_aep.validation import InvalidInputError


def run(run_id, status, *, flow="f1", started=1_000, completed=2_000, window=None, **records):
    duration = {"startedAtUTC": started}
    if completed is not None:
        duration["completedAtUTC"] = completed
    copy = {"id": "copyActivity", "durationSummary": dict(duration)}
    if window:
        copy["durationSummary"]["extensions"] = {"windowStart": window[0], "windowEnd": window[1]}
    return {
        "id": run_id,
        "flowId": flow,
        "metrics": {
            "statusSummary": {"status": status},
            "durationSummary": duration,
            "recordSummary": records,
        },
        "activities": [copy],
    }


def summaries(*runs):
    return [summarize_run(r) for r in runs]


def ids(found):
    return [s["run_id"] for s in found]


def test_only_this_flows_final_watched_runs_after_the_floor_are_new_oldest_end_first():
    mark = start_watermark(1_500)
    found = newly_final(
        summaries(
            run("late", "success", completed=3_000),
            run("early", "Failed", completed=2_000),
            run("going", "inProgress", completed=None),
            run("before", "success", completed=1_400),
            run("other", "success", flow="f2"),
            run("partial", "partialSuccess", completed=2_500),
        ),
        "f1",
        ["success", "failed"],
        mark,
    )
    assert ids(found) == ["early", "late"]


def test_a_run_announced_is_never_new_again_even_when_aep_reports_an_earlier_end_later():
    mark = start_watermark(0)
    first = newly_final(summaries(run("b", "success", completed=5_000)), "f1", DEFAULT_STATUSES, mark)
    mark = advance(mark, first[0])
    # Run a ended before b but AEP shows it final only now: still announced, once.
    both = summaries(run("a", "success", completed=4_000), run("b", "success", completed=5_000))
    second = newly_final(both, "f1", DEFAULT_STATUSES, mark)
    assert ids(second) == ["a"]
    mark = advance(mark, second[0])
    assert newly_final(both, "f1", DEFAULT_STATUSES, mark) == []


def test_the_watermark_survives_json_and_forgets_runs_below_a_raised_floor():
    mark = advance(
        advance(start_watermark(0), summaries(run("a", "success", completed=10))[0]),
        summaries(run("b", "success", completed=20))[0],
    )
    assert parse_watermark(dict(mark)) == mark
    raised = raise_floor(mark, 15)
    assert raised == {"floor_ms": 15, "announced": {"b": 20}}
    assert raise_floor(raised, 5) == raised  # the floor only rises


@pytest.mark.parametrize(
    "value",
    [None, "x", {"floor_ms": "1", "announced": {}}, {"floor_ms": 1}, {"floor_ms": True, "announced": {}}],
)
def test_anything_but_a_watermark_reads_as_none(value):
    assert parse_watermark(value) is None


def test_statuses_are_checked_naming_the_field_and_the_allowed_values():
    assert check_statuses(["failed", "success", "failed"]) == ("failed", "success")
    for bad in ([], "success", ["done"]):
        with pytest.raises(InvalidInputError, match=r"statuses.*success, partialSuccess, failed"):
            check_statuses(bad)


def test_the_event_extra_carries_ids_status_counts_window_and_times_only():
    raw = run(
        "r",
        "success",
        started=1_000,
        completed=4_000,
        window=(10_000, 20_000),
        inputRecordCount=5,
        outputRecordCount=5,
        failedRecordCount=0,
    )
    extra = run_event_extra(summarize_run(raw), run_window_ms(raw))
    assert extra == {
        "run_id": "r",
        "flow_id": "f1",
        "status": "success",
        "succeeded": True,
        "counts": {"inputRecordCount": 5, "outputRecordCount": 5, "failedRecordCount": 0},
        "window_start_ms": 10_000,
        "window_end_ms": 20_000,
        "started_at_ms": 1_000,
        "completed_at_ms": 4_000,
        "duration_seconds": 3.0,
        "errors": [],
    }
    assert run_window_ms(run("s", "success")) is None


def test_runs_in_events_reads_watcher_and_outlet_events_and_shows_repeats():
    extra = {"run_id": "r1", "status": "success"}
    events = [
        {"from_trigger": True, "payload": extra},
        {"run_id": "r2"},
        {"from_trigger": True, "payload": extra},
        {},
        None,
    ]
    assert [r["run_id"] for r in runs_in_events(events)] == ["r1", "r2", "r1"]
