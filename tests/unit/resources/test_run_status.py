from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.resources.run_status import (
    RunSelector,
    SuccessPolicy,
    describe,
    run_result,
    run_window,
    same_window,
    select_run,
    summarize_run,
    window_params,
)


def run(status, errors=None, **records):
    return {
        "id": "r1",
        "metrics": {"statusSummary": {"status": status, "errors": errors or []}, "recordSummary": records},
    }


@pytest.mark.parametrize(
    ("status", "terminal", "succeeded"),
    [
        ("success", True, True),
        ("Success", True, True),
        ("failed", True, False),
        ("Failed", True, False),
        ("partialSuccess", True, True),
        ("inProgress", False, False),
        ("scheduled", False, False),
        ("somethingNew", False, False),
    ],
)
def test_status_is_read_case_insensitively_and_unknown_means_running(status, terminal, succeeded):
    summary = summarize_run(run(status))
    assert (summary["terminal"], summary["succeeded"]) == (terminal, succeeded)


def test_partial_success_can_be_made_a_failure():
    assert summarize_run(run("partialSuccess"), fail_on_partial_success=True)["succeeded"] is False


def test_no_run_yet_is_not_terminal():
    summary = summarize_run(None)
    assert summary["run_id"] is None and not summary["terminal"]


def test_counts_and_errors_are_reported():
    summary = summarize_run(
        run(
            "failed",
            errors=[{"code": "CONNECTOR-2001-500", "message": "Stripe said no"}],
            inputRecordCount=10,
            outputRecordCount=7,
            failedRecordCount=3,
        )
    )
    assert summary["counts"] == {"inputRecordCount": 10, "outputRecordCount": 7, "failedRecordCount": 3}
    text = describe(summary)
    assert "CONNECTOR-2001-500: Stripe said no" in text and "failedRecordCount=3" in text


def timed_run(run_id: str, started_ms: int, status: str = "success") -> dict:
    return {
        "id": run_id,
        "createdAt": started_ms,
        "metrics": {"statusSummary": {"status": status}, "durationSummary": {"startedAtUTC": started_ms}},
    }


NEWEST_FIRST = [timed_run("r3", 3000), timed_run("r2", 2000), timed_run("r1", 1000)]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (RunSelector(), "r3"),
        (RunSelector(run_id="r2"), "r2"),
        (RunSelector(run_id="nope"), None),
        (RunSelector(started_after_ms=1500), "r2"),  # the first run after the bound, not the newest
        (RunSelector(started_after_ms=2000), "r2"),
        (RunSelector(started_after_ms=3001), None),  # an older run never satisfies a newer bound
        (RunSelector(started_after_ms=3001, fallback_to_latest=True), "r3"),
    ],
)
def test_the_selected_run(selector, expected):
    found = select_run(iter(NEWEST_FIRST), selector)
    assert (found or {}).get("id") == expected


def test_no_runs_selects_nothing():
    assert select_run(iter([]), RunSelector(fallback_to_latest=True, started_after_ms=0)) is None


def test_partial_success_and_failed_ratio_policy():
    partial = run("partialSuccess", inputRecordCount=10, failedRecordCount=3)
    assert summarize_run(partial, SuccessPolicy(max_failed_ratio=1))["succeeded"] is True
    by_default = summarize_run(partial, SuccessPolicy())  # AEP's 0.5 % rule
    assert by_default["succeeded"] is False and "0.5% ingestion-failure rule" in describe(by_default)
    refused = summarize_run(partial, SuccessPolicy(allow_partial_success=False))
    assert refused["succeeded"] is False and "partial success is not allowed" in describe(refused)
    too_many = summarize_run(partial, SuccessPolicy(max_failed_ratio=0.2))
    assert too_many[
        "succeeded"
    ] is False and "30.0% of the records failed, more than the allowed 20.0%" in describe(too_many)
    assert summarize_run(partial, SuccessPolicy(max_failed_ratio=0.3))["succeeded"] is True


def test_activity_errors_and_duration_are_reported():
    body = run("failed", errors=[{"code": "CONNECTOR-2001-500", "message": "x"}])
    body["metrics"]["durationSummary"] = {"startedAtUTC": 1_000, "completedAtUTC": 4_500}
    body["activities"] = [
        {"statusSummary": {"extensions": {"errors": [{"code": "MAPPER-3700-400", "message": "bad"}]}}},
        {"statusSummary": {"errors": [{"code": "CONNECTOR-2001-500", "message": "x"}]}},
    ]
    summary = summarize_run(body)
    assert summary["error_codes"] == ["CONNECTOR-2001-500", "MAPPER-3700-400"]
    assert summary["duration_seconds"] == 3.5
    assert run_result(summary)["duration_seconds"] == 3.5


def test_window_params_are_epoch_seconds_as_integers_and_match_back():
    params = window_params(1_700_000_000, 1_700_086_400, start_time=1_700_090_000, delta_column="updated")
    assert params == {
        "startTime": 1700090000,
        "windowStartTime": 1700000000,
        "windowEndTime": 1700086400,
        "deltaColumn": {"name": "updated"},
    }


def _run_with_window(start, end, key="activities", **extra):
    copy_activity = {
        "id": "copyActivity",
        "durationSummary": {"extensions": {"windowStart": start, "windowEnd": end}},
    }
    return {"id": "r", key: [{"id": "promotionActivity"}, copy_activity], **extra}


def test_run_window_reads_the_documented_copy_activity_window_in_milliseconds():
    run = _run_with_window(1_700_000_000_000, 1_700_086_400_000)
    assert run_window(run) == (1_700_000_000_000, 1_700_086_400_000)
    assert same_window(run, 1_700_000_000, 1_700_086_400)
    assert not same_window(run, 1_700_000_000, 1_700_086_401)


def test_run_window_accepts_the_specs_activites_spelling_and_digit_strings():
    run = _run_with_window("1700000000000", "1700086400000", key="activites")
    assert run_window(run) == (1_700_000_000_000, 1_700_086_400_000)


def test_a_run_echoing_params_but_no_activity_window_has_no_window():
    # `params` is nowhere documented on a run object: it is never read.
    params = window_params(1_700_000_000, 1_700_086_400, start_time=1_700_090_000)
    assert run_window({"params": params}) is None
    assert not same_window({"params": params}, 1_700_000_000, 1_700_086_400)
    assert run_window({}) is None
    assert run_window(_run_with_window(None, 1)) is None


@pytest.mark.parametrize("key", ["activities", "activites"], ids=["live-examples", "spec-spelling"])
def test_activity_errors_are_read_under_either_documented_spelling(key):
    body = run("failed", errors=[])
    body[key] = [{"statusSummary": {"errors": [{"code": "CONNECTOR-2001-500", "message": "x"}]}}]
    assert summarize_run(body)["error_codes"] == ["CONNECTOR-2001-500"]


def started(run_id, ms):
    return {"id": run_id, "metrics": {"durationSummary": {"startedAtUTC": ms}}}


def test_what_settles_a_selection_while_reading_newest_first():
    from airflow_provider_stripe_aep.resources.run_status import settles

    newer, older = started("b", 2000), started("a", 1000)
    assert settles(newer, RunSelector()) and settles(older, RunSelector())
    assert settles(newer, RunSelector(run_id="b")) and not settles(older, RunSelector(run_id="b"))
    bound = RunSelector(started_after_ms=1500)
    assert not settles(newer, bound)  # an older run may still be after the bound
    assert settles(older, bound)  # started before it: nothing older can be picked
    assert settles({"id": "x"}, bound)  # no start time stops select_run too


def test_unsettled_keeps_only_the_selections_a_page_leaves_open():
    from airflow_provider_stripe_aep.resources.run_status import unsettled

    page = [started("c", 3000), started("b", 2000)]
    selectors = [
        RunSelector(),
        RunSelector(run_id="b"),
        RunSelector(run_id="a"),
        RunSelector(started_after_ms=1),
    ]
    assert unsettled(page, selectors) == {RunSelector(run_id="a"), RunSelector(started_after_ms=1)}
    # What stays settled gives select_run's answer on the runs read so far.
    assert select_run(page, RunSelector(run_id="b"))["id"] == "b"
