"""The hook's `diagnose_run`: bounded reads of a run's diagnostic files; unreadable ones leave a note."""

from __future__ import annotations

import json

import requests_mock

from airflow_provider_stripe_aep.client import AEPClient, AEPClientConfig, RetryPolicy
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

BASE = "https://platform.example"
IMS = "https://ims.example/ims/token/v3"

EXPORT = f"{BASE}/data/foundation/export/batches/B1"
SECRET = "someone@example.com"
RUN = {
    "id": "r1",
    "metrics": {
        "statusSummary": {"status": "success"},
        "recordSummary": {"inputRecordCount": 50, "failedRecordCount": 2},
    },
    "activities": [
        {
            "id": "promotionActivity",
            "statusSummary": {
                "extensions": {"manifest": {"failedRecords": f"{EXPORT}/meta?path=row_errors"}}
            },
        }
    ],
}


def test_codes_and_paths_are_read_big_files_skipped_and_missing_ones_noted():
    hook = AdobeExperiencePlatformHook()
    config = AEPClientConfig(
        client_id="cid",
        client_secret="sec-123456",
        org_id="O@AdobeOrg",
        base_url=BASE,
        ims_token_url=IMS,
        retry=RetryPolicy(max_attempts=1),
    )
    hook.__dict__["client"] = AEPClient(config)
    with requests_mock.Mocker() as http:
        http.post(IMS, json={"access_token": "tok", "expires_in": 86399})
        http.get(f"{BASE}/data/foundation/flowservice/runs/r1", json={"items": [RUN]})
        http.get(f"{EXPORT}/meta?path=row_errors", status_code=404, json={"status": 404, "title": "NotFound"})
        files = [
            {"name": "_SUCCESS", "length": "0"},
            {"name": "part-0.json", "length": "100"},
            {"name": "part-1.json", "length": str(10**9)},
        ]
        http.get(f"{EXPORT}/failed", json={"data": files})
        row = {
            "email": SECRET,
            "_validationErrors": [{"pointerToViolation": "#/_t/email", "message": SECRET}],
        }
        part0 = http.get(f"{EXPORT}/failed?path=part-0.json", text="\n".join([json.dumps(row)] * 2))
        diagnostics = hook.diagnose_run("r1")
    assert part0.call_count == 1
    assert diagnostics["paths"] == [{"path": "_t.email", "rows": 2}]
    assert "row_errors of batch B1 unavailable (HTTP 404)" in diagnostics["note"]
    assert "failed of batch B1: 1 of 2 files read" in diagnostics["note"]
    assert SECRET not in json.dumps(diagnostics)
