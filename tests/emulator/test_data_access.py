"""Runs that lose rows (configurable share and codes), the documented Data Access endpoints for their
failed rows and row errors, activity-level errors, and flows that go stale (reference §2.8, §8b)."""

from __future__ import annotations

import json
import time

from .helpers import Aep, wait_for

PLANTED = "planted-value-x9@example.com"


def test_a_run_with_failed_rows_reports_them_as_aep_documents(aep: Aep) -> None:
    flow = aep.once_flow()["flow"]
    body = {"share": 0.03, "records": 200, "codes": ["MAPPER-3700-400", "INGEST-1401-400"], "flowId": flow}
    assert aep.admin("POST", "/failed-rows", json=body).ok
    run = aep.finished_run(flow)
    metrics = run["metrics"]
    assert metrics["statusSummary"]["status"] == "success"  # below the partial-ingestion threshold
    assert metrics["recordSummary"]["inputRecordCount"] == 200
    assert metrics["recordSummary"]["failedRecordCount"] == 6
    promotion = next(a for a in run["activities"] if a["id"] == "promotionActivity")
    errors = promotion["statusSummary"]["extensions"]["errors"]
    assert {e["code"]: e.get("recordCount") for e in errors} == {
        "INGEST-1212-400": None,
        "MAPPER-3700-400": 3,
        "INGEST-1401-400": 3,
    }
    manifest = promotion["statusSummary"]["extensions"]["manifest"]
    batch = promotion["targetInfo"][0]["reference"]["ids"][0]
    assert manifest["failedRecords"].endswith(f"/data/foundation/export/batches/{batch}/meta?path=row_errors")


def test_data_access_lists_and_serves_the_failed_rows_and_row_errors(aep: Aep) -> None:
    flow = aep.once_flow()["flow"]
    body = {"share": 0.5, "records": 4, "codes": ["INGEST-1555-400"], "value": PLANTED, "flowId": flow}
    assert aep.admin("POST", "/failed-rows", json=body).ok
    run = aep.finished_run(flow)
    batch = run["activities"][1]["targetInfo"][0]["reference"]["ids"][0]

    listing = aep.get(f"/export/batches/{batch}/meta", params={"path": "row_errors"}).json()
    assert listing["_page"] == {"limit": 100, "count": 1}
    name = listing["data"][0]["name"]
    assert listing["data"][0]["_links"]["self"]["href"].endswith(f"path=row_errors%2F{name}")
    lines = aep.get(f"/export/batches/{batch}/meta", params={"path": f"row_errors/{name}"}).text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) == 2
    assert all(r["_errors"][0]["code"] == "INGEST-1555-400" and r["_filename"] == name for r in rows)
    assert PLANTED in rows[0]["_corrupt_record"]  # the customer's data, as in AEP

    failed = aep.get(f"/export/batches/{batch}/failed").json()["data"]
    assert failed[0]["name"] == "_SUCCESS"
    records = aep.get(f"/export/batches/{batch}/failed", params={"path": failed[1]["name"]}).text
    violation = json.loads(records.splitlines()[0])["_validationErrors"][0]
    assert violation["pointerToViolation"].startswith("#/_emulatortenant/")
    assert PLANTED in violation["message"]

    assert aep.get("/export/batches/NOSUCHBATCH/failed").status_code == 404


def test_a_clean_run_has_no_row_errors_and_a_failed_run_no_manifest(aep: Aep) -> None:
    flow = aep.once_flow()["flow"]
    clean = aep.finished_run(flow)
    batch = clean["activities"][1]["targetInfo"][0]["reference"]["ids"][0]
    assert aep.get(f"/export/batches/{batch}/meta", params={"path": "row_errors"}).json()["data"] == []
    assert aep.admin("POST", f"/flows/{flow}/fail-runs").ok
    failed = aep.finished_run(flow)
    promotion = failed["activities"][1]["statusSummary"]
    assert "manifest" not in promotion.get("extensions", {})
    assert promotion["errors"][0]["code"] == "CONNECTOR-2001-500"  # activity-level error


def test_bad_failed_row_settings_are_refused(aep: Aep) -> None:
    assert aep.admin("POST", "/failed-rows", json={"share": 2}).status_code == 400
    assert aep.admin("POST", "/failed-rows", json={"share": 0.1, "codes": []}).status_code == 400
    assert aep.admin("POST", "/failed-rows", json={"share": 0.1, "colour": "red"}).status_code == 400


def test_a_stale_flow_has_only_old_runs_and_starts_no_new_one(aep: Aep) -> None:
    flow = aep.onboard(startTime=str(int(time.time())), frequency="minute", interval=15)["flow"]
    wait_for(lambda: aep.runs(flow) or None)
    answer = aep.admin("POST", f"/flows/{flow}/stale", json={"age_seconds": 7200}).json()
    assert answer["stopped"] is True
    time.sleep(1.0)  # several run intervals of this emulator
    runs = aep.runs(flow)
    newest = max(r["createdAt"] for r in runs)
    assert newest < (time.time() - 7000) * 1000
    details = aep.get(f"/flowservice/flows/{flow}").json()["items"][0]["lastRunDetails"]
    assert details["completedAtUTC"] < (time.time() - 7000) * 1000
