from __future__ import annotations

import json

from airflow_provider_stripe_aep.resources.run_diagnostics import (
    batch_ids,
    describe_diagnostics,
    diagnose,
    needs_diagnosis,
    scrub_message,
    tally_rows,
    xdm_path,
)

SECRET = "jane.doe@example.com"


def run_with_failures() -> dict:
    export = "https://platform.adobe.io/data/foundation/export/batches"
    return {
        "id": "r1",
        "metrics": {
            "statusSummary": {
                "status": "success",
                "errors": [{"code": "INGEST-1212-400", "message": "Encountered 3 errors in the data."}],
            },
            "recordSummary": {"inputRecordCount": 100, "failedRecordCount": 3},
        },
        "activities": [
            {"id": "copyActivity", "statusSummary": {"status": "success"}},
            {
                "id": "promotionActivity",
                "statusSummary": {
                    "status": "success",
                    "extensions": {
                        "manifest": {"failedRecords": f"{export}/B1/meta?path=row_errors"},
                        "errors": [
                            {"code": "MAPPER-3700-400", "recordCount": 2, "message": f"bad value '{SECRET}'"},
                            {"code": "INGEST-1555-400", "recordCount": 1, "message": "missing"},
                        ],
                    },
                },
                "targetInfo": [{"reference": {"type": "Batch", "ids": ["B1", "B2"]}}],
            },
        ],
    }


def lines(*rows: dict) -> list[bytes]:
    return [json.dumps(r).encode() for r in rows]


def test_batches_come_from_the_manifest_and_the_target_references():
    assert batch_ids(run_with_failures()) == ["B1", "B2"]


def test_messages_lose_quoted_values_and_email_like_words():
    assert SECRET not in scrub_message(f"value '{SECRET}' is bad")
    assert SECRET not in scrub_message(f"value {SECRET} is bad")
    assert "2018-00-23" not in scrub_message("[2018-00-23T22:07:01Z] is not a valid date-time")
    assert len(scrub_message("x" * 1000)) == 200


def test_row_errors_give_codes_and_failed_records_give_paths_never_values():
    row_errors = lines(
        {"_corrupt_record": json.dumps({"email": SECRET}), "_errors": [{"code": "1401", "message": SECRET}]},
        {"_errors": [{"code": "1401"}, {"code": "1555"}]},
        {"not": "an error row"},
    )
    tally = tally_rows([*row_errors, b"not json"], "row_errors")
    failed = lines(
        {
            "email": SECRET,
            "_validationErrors": [{"pointerToViolation": "#/_t/billing/email", "message": SECRET}],
        },
        {"_validationErrors": [{"pointerToViolation": "#/_t/items/0/price"}]},
    )
    tally = tally_rows(failed, "failed", tally)
    assert tally == {
        "rows_read": 3,
        "codes": {"1401": 2, "1555": 1},
        "paths": {"_t.billing.email": 1, "_t.items[].price": 1},
    }
    assert SECRET not in json.dumps(tally)


def test_the_summary_has_counts_codes_with_rows_paths_and_scrubbed_messages():
    tally = tally_rows(lines({"_validationErrors": [{"pointerToViolation": "#/_t/email"}]}), "failed")
    summary = diagnose(run_with_failures(), tally)
    assert (summary["input_records"], summary["failed_records"], summary["failed_ratio"]) == (100, 3, 0.03)
    assert summary["codes"][:2] == [
        {"code": "MAPPER-3700-400", "rows": 2},
        {"code": "INGEST-1555-400", "rows": 1},
    ]
    assert summary["paths"] == [{"path": "_t.email", "rows": 1}]
    text = describe_diagnostics(summary)
    assert "3 of 100 records failed (3.0%)" in text and "MAPPER-3700-400 (2 rows)" in text
    assert "INGEST-1555-400 (1 row)" in text and "_t.email (1 row)" in text
    assert SECRET not in json.dumps(summary) and SECRET not in text
    assert "messages" not in describe_diagnostics(summary, messages=False)


def test_counted_rows_stand_in_when_aep_gives_no_record_count():
    run = {"id": "r", "metrics": {"statusSummary": {"status": "failed"}}}
    summary = diagnose(run, tally_rows(lines({"_errors": [{"code": "X-1"}]}), "row_errors"))
    assert summary["codes"] == [{"code": "X-1", "rows": 1}] and summary["failed_ratio"] is None


def test_which_runs_are_diagnosed():
    assert needs_diagnosis({"failedRecordCount": 1}, "success")
    assert needs_diagnosis({}, "failed") and needs_diagnosis({}, "partialSuccess")
    assert not needs_diagnosis({"failedRecordCount": 0}, "success")


def test_xdm_paths_from_json_pointers():
    assert xdm_path("#/_t/a~1b/c") == "_t.a/b.c"
    assert xdm_path("#/") is None and xdm_path(None) is None
