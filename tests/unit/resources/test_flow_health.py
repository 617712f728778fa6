from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.resources.flow_health import (
    HealthPolicy,
    health_table,
    judge_flow,
    matches_prefix,
    preset_interval_seconds,
    schedule_interval_seconds,
)

NOW = 10_000_000_000
MIN = 60_000


def flow(state="enabled", frequency="minute", interval="15", **extra):
    return {
        "id": "f1",
        "name": "P Stripe charges dataflow",
        "state": state,
        "createdAt": NOW - 600 * MIN,
        "scheduleParams": {"frequency": frequency, "interval": interval},
        **extra,
    }


def run(minutes_ago, status="success", inputs=100, failed=0, errors=()):
    end = NOW - minutes_ago * MIN
    return {
        "metrics": {
            "statusSummary": {"status": status, "errors": list(errors)},
            "durationSummary": {"startedAtUTC": end - 1000, "completedAtUTC": end},
            "recordSummary": {"inputRecordCount": inputs, "failedRecordCount": failed},
        }
    }


def verdict(f, runs, **policy):
    return judge_flow(f, runs, HealthPolicy(**policy), now_ms=NOW)


def test_a_recent_clean_run_is_ok():
    health = verdict(flow(), [run(5), run(20)])
    assert health["verdict"] == "ok" and health["reasons"] == []
    assert health["age_seconds"] == 300 and health["stale_after_seconds"] == 1800


def test_no_success_for_more_than_two_intervals_is_stale():
    health = verdict(flow(), [run(45)])
    assert health["verdict"] == "stale" and "no successful run for 45 min" in health["reasons"][0]


def test_a_flow_that_never_succeeded_is_stale_from_its_creation():
    assert verdict(flow(), [])["verdict"] == "stale"
    assert verdict(flow(createdAt=NOW - MIN), [])["verdict"] == "ok"


def test_failed_records_over_the_ceiling_or_a_failed_latest_run_is_failing():
    errors = [{"code": "MAPPER-3700-400", "recordCount": 3}]
    over = verdict(flow(), [run(5, failed=3, errors=errors), run(20)])
    assert over["verdict"] == "failing" and over["failed_ratio"] == 0.015
    assert over["top_codes"] == [{"code": "MAPPER-3700-400", "rows": 3}]
    assert verdict(flow(), [run(5, failed=3), run(20)], max_failed_ratio=0.05)["verdict"] == "ok"
    assert verdict(flow(), [run(5, "failed"), run(20)])["verdict"] == "failing"


def test_disabled_wins_and_every_reason_is_kept():
    health = verdict(flow(state="disabled"), [run(5, "failed")])
    assert health["verdict"] == "disabled" and len(health["reasons"]) == 2


def test_once_flows_use_the_expected_interval_and_last_run_details():
    once = flow(frequency="once", interval=None)
    assert verdict(once, [])["verdict"] == "ok"  # freshness not judged without an interval
    assert verdict(once, [], expected_interval_seconds=3600)["verdict"] == "stale"
    details = {"state": "success", "completedAtUTC": NOW - 30 * MIN}
    assert verdict({**once, "lastRunDetails": details}, [], expected_interval_seconds=3600)["verdict"] == "ok"
    assert verdict(flow(), [run(20)], stale_after_seconds=600)["verdict"] == "stale"


@pytest.mark.parametrize(
    ("params", "seconds"),
    [
        ({"frequency": "minute", "interval": "15"}, 900),
        ({"frequency": "hour", "interval": 2}, 7200),
        ({"frequency": "once"}, None),
        (None, None),
    ],
)
def test_schedule_intervals(params, seconds):
    assert schedule_interval_seconds(params) == seconds


def test_prefix_and_presets_and_table():
    assert matches_prefix({"name": "P Stripe charges dataflow"}, "P")
    assert not matches_prefix({"name": "PX Stripe charges dataflow"}, "P")
    assert preset_interval_seconds("@daily") == 86400 and preset_interval_seconds("0 * * * *") is None
    table = health_table([verdict(flow(), [run(45)])])
    assert "P Stripe charges dataflow" in table and "stale" in table and "45 min ago" in table
