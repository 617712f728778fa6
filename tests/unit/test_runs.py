from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.runs import describe, summarize_run


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
