"""`test_connection()` through Airflow's own REST API (what the UI's Test button calls)."""

from __future__ import annotations

import json

import pytest
from aep_testing import CLIENT_SECRET


@pytest.fixture
def api(airflow_db, monkeypatch):
    monkeypatch.setenv("AIRFLOW__CORE__TEST_CONNECTION", "Enabled")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True")
    try:
        from airflow.api_fastapi.app import create_app
    except ImportError:
        pytest.fail("Airflow 3's REST API is needed for this test")
    from fastapi.testclient import TestClient

    return TestClient(create_app(apps="core"))


def test_connection_button_against_the_emulator(api, aep):
    body = {
        "connection_id": "aep_ui",
        "conn_type": "adobe_experience_platform",
        "host": aep.url,
        "login": "ui-client-id",
        "password": CLIENT_SECRET,
        "extra": json.dumps({"org_id": "UI@AdobeOrg", "ims_token_url": aep.ims_url}),
    }
    ok = api.post("/api/v2/connections/test", json=body)
    assert ok.status_code == 200
    assert ok.json() == {"status": True, "message": "Connected to sandbox 'prod' (tenant emulatortenant)."}

    aep.config.client_secret = "only-this-one-is-right"
    wrong = api.post("/api/v2/connections/test", json=body)
    assert wrong.status_code == 200
    result = wrong.json()
    assert result["status"] is False
    assert result["message"].startswith("IMS token:")
    assert "invalid_client" in result["message"] and "client secret (password)" in result["message"]
    assert CLIENT_SECRET not in result["message"]


def test_a_malformed_extra_names_the_field(api, aep):
    body = {
        "connection_id": "aep_ui",
        "conn_type": "adobe_experience_platform",
        "host": aep.url,
        "login": "ui-client-id",
        "password": CLIENT_SECRET,
        "extra": json.dumps({"org_id": "UI@AdobeOrg", "sandbox": "Prod"}),
    }
    result = api.post("/api/v2/connections/test", json=body).json()
    assert result["status"] is False
    assert "sandbox" in result["message"] and "lowercase" in result["message"]
