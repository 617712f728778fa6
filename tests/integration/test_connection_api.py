"""`test_connection()` as the UI's Test button runs it: through Airflow 3's REST API, or on Airflow 2
through `Connection.test_connection()`, which its REST API calls."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aep_testing import CLIENT_SECRET


@pytest.fixture
def test_button(airflow_db, monkeypatch):
    """A function that sends a connection to Airflow's connection test and returns its answer."""
    monkeypatch.setenv("AIRFLOW__CORE__TEST_CONNECTION", "Enabled")
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True")
    try:
        from airflow.api_fastapi.app import create_app
    except ImportError:  # Airflow 2
        from airflow.models.connection import Connection

        def call(body: dict[str, Any]) -> dict[str, Any]:
            fields = {k: v for k, v in body.items() if k != "connection_id"}
            conn = Connection(conn_id=body["connection_id"], **fields)
            # As Airflow 2's REST API does: expose the connection to the hook, then test it.
            monkeypatch.setenv(f"AIRFLOW_CONN_{conn.conn_id.upper()}", conn.get_uri())
            status, message = conn.test_connection()
            return {"status": status, "message": message}

        return call
    from fastapi.testclient import TestClient

    client = TestClient(create_app(apps="core"))

    def call(body: dict[str, Any]) -> dict[str, Any]:
        response = client.post("/api/v2/connections/test", json=body)
        assert response.status_code == 200
        return response.json()

    return call


def connection(aep, **extra) -> dict[str, Any]:
    return {
        "connection_id": "aep_ui",
        "conn_type": "adobe_experience_platform",
        "host": aep.url,
        "login": "ui-client-id",
        "password": CLIENT_SECRET,
        "extra": json.dumps({"org_id": "UI@AdobeOrg", "ims_token_url": aep.ims_url, **extra}),
    }


def test_connection_button_against_the_emulator(test_button, aep):
    aep.config.client_secret = CLIENT_SECRET  # the emulator now accepts this secret only
    ok = test_button(connection(aep))
    assert ok == {"status": True, "message": "Connected to sandbox 'prod' (tenant emulatortenant)."}

    result = test_button({**connection(aep), "password": "a-wrong-secret-4711"})
    assert result["status"] is False
    assert result["message"].startswith("IMS token:")
    assert "invalid_client" in result["message"] and "client secret (password)" in result["message"]
    assert "a-wrong-secret-4711" not in result["message"]


def test_a_malformed_extra_names_the_field(test_button, aep):
    result = test_button(connection(aep, sandbox="Prod"))
    assert result["status"] is False
    assert "sandbox" in result["message"] and "lowercase" in result["message"]


def test_messages_name_the_field_not_airflows_temporary_connection_id(test_button, aep):
    result = test_button({**connection(aep), "extra": json.dumps({"ims_endpoint": aep.ims_url})})
    assert result == {
        "status": False,
        "message": "Connection settings: IMS org ID (extra org_id) is missing: required, an IMS "
        "organization ID such as 'ABC123@AdobeOrg'.",
    }


def test_an_unreachable_ims_names_the_url_tried_and_the_attempts(test_button, aep):
    dead = "http://127.0.0.1:9/ims/token/v3"  # the discard port: nothing listens
    result = test_button(connection(aep, ims_endpoint=dead, max_attempts=2, backoff_base=0))
    assert result["status"] is False
    assert result["message"].startswith(f"IMS token: no answer from {dead} (")
    assert result["message"].count("gave up after 2 attempts") == 1
    assert "extra ims_endpoint" in result["message"] and CLIENT_SECRET not in result["message"]


@pytest.mark.parametrize(
    ("key", "status", "words"),
    [("rk_live_51UiRestricted", True, "restricted live-mode key"), ("pk_live_51UiPub", False, "publishable")],
)
def test_stripe_connection_button(test_button, key, status, words):
    result = test_button({"connection_id": "stripe_ui", "conn_type": "stripe", "password": key})
    assert result["status"] is status and words in result["message"]
    assert key not in result["message"]
