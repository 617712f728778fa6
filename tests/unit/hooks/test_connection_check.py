"""What the Test buttons say: the failing step, the URL tried, the field to check; no secret, no None."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import requests
import requests_mock

from airflow_provider_stripe_aep.client import AEPAuthError, AEPClient, AEPServerError
from airflow_provider_stripe_aep.hooks.connection_check import check_aep_connection, check_stripe_key
from airflow_provider_stripe_aep.hooks.connection_config import build_client_config

SECRET = "unit-secret-3f9"
HOST = "https://platform.example.com"
IMS = "https://ims.example.com/ims/token/v3"
STATS = f"{HOST}/data/foundation/schemaregistry/stats"
FAST = {"max_attempts": 2, "backoff_base": 0, "backoff_max": 0}


def conn(**extra):
    extras = {"org_id": "ORG@AdobeOrg", "ims_endpoint": IMS, **FAST, **extra}
    return SimpleNamespace(host=HOST, login="cid", password=SECRET, extra=json.dumps(extras))


def check(connection) -> tuple[bool, str]:
    secrets: list[str] = []
    ok, message = check_aep_connection(connection, secrets.append)
    assert SECRET in secrets  # registered with the masker before anything else
    for secret in secrets:
        assert secret not in message
    assert "None" not in message and "Connection '" not in message
    return ok, message


def token_ok(http: requests_mock.Mocker) -> None:
    http.post(IMS, json={"access_token": "unit-token-a1", "expires_in": 86399})


def test_success_names_the_sandbox_and_tenant():
    with requests_mock.Mocker() as http:
        token_ok(http)
        http.get(STATS, json={"tenantId": "_acme"})
        assert check(conn(sandbox="dev")) == (True, "Connected to sandbox 'dev' (tenant acme).")


def test_bad_settings_name_the_field_before_any_request():
    with requests_mock.Mocker() as http:
        ok, message = check(conn(org_id="ACME"))
        assert http.call_count == 0
    assert not ok
    assert message == (
        "Connection settings: IMS org ID (extra org_id) 'ACME' is invalid: must be an IMS organization ID "
        "ending with '@AdobeOrg' (e.g. 'ABC123@AdobeOrg')."
    )


def test_a_refused_secret_names_ims_its_answer_and_the_fields_to_check():
    with requests_mock.Mocker() as http:
        http.post(
            IMS,
            status_code=400,
            json={"error": "invalid_client", "error_description": "invalid client_secret"},
        )
        ok, message = check(conn())
        assert http.call_count == 1  # a refusal is not retried
    assert not ok
    assert message == (
        f"IMS token: {IMS} refused the token request: HTTP 400 invalid_client: invalid client_secret; "
        "check the client ID (login) and client secret (password)."
    )


def test_an_unreachable_ims_names_the_url_and_the_attempts():
    with requests_mock.Mocker() as http:
        http.post(IMS, exc=requests.exceptions.ConnectionError)
        ok, message = check(conn())
    assert not ok
    assert message == (
        f"IMS token: no answer from {IMS} (ConnectionError, gave up after 2 attempts); "
        "check the IMS endpoint (extra ims_endpoint) and the network."
    )


def test_an_unreachable_platform_names_the_url_and_the_attempts():
    with requests_mock.Mocker() as http:
        token_ok(http)
        http.get(STATS, exc=requests.exceptions.ConnectTimeout)
        ok, message = check(conn())
    assert not ok
    assert message == (
        f"Platform call: no answer from {HOST} (GET /data/foundation/schemaregistry/stats) "
        "(ConnectTimeout, gave up after 2 attempts); check the platform URL (host) and the network."
    )


def test_a_platform_refusal_says_what_to_check():
    with requests_mock.Mocker() as http:
        token_ok(http)
        http.get(STATS, status_code=403, json={"error_code": "403003", "message": "Api Key is invalid"})
        ok, message = check(conn())
    assert not ok
    assert message.startswith(f"Platform call: {HOST} (GET /data/foundation/schemaregistry/stats) answered ")
    assert "HTTP 403 403003: Api Key is invalid" in message and "product profile" in message


def test_runtime_ims_errors_name_the_connection_once_without_repeated_prefixes():
    config = build_client_config(
        conn_id="aep_prod", host=HOST, login="cid", password=SECRET, extra={"org_id": "O@AdobeOrg", **FAST}
    )
    with requests_mock.Mocker() as http:
        http.post(config.ims_token_url, status_code=401, json={"error": "invalid_client"})
        with pytest.raises(AEPAuthError) as refused:
            AEPClient(config).http.tokens.token()
        http.post(config.ims_token_url, exc=requests.exceptions.ConnectionError)
        with pytest.raises(AEPServerError) as unreachable:
            AEPClient(config).http.tokens.token()
    for exc in (refused.value, unreachable.value):
        message = str(exc)
        assert message.startswith("Connection 'aep_prod': no IMS token: ")
        assert message.count("IMS token") == 1 and "failed" not in message and SECRET not in message
    assert "https://ims-na1.adobelogin.com/ims/token/v3 refused the token request: HTTP 401" in str(
        refused.value
    )
    assert "(ConnectionError, gave up after 2 attempts)" in str(unreachable.value)


@pytest.mark.parametrize(
    ("key", "ok", "words"),
    [
        ("sk_test_51AbCdEf", True, "secret test-mode key"),
        ("sk_live_51AbCdEf", True, "secret live-mode key"),
        ("rk_test_51AbCdEf", True, "restricted test-mode key"),
        ("rk_live_51AbCdEf", True, "restricted live-mode key"),
        ("pk_test_51AbCdEf", False, "publishable key"),
        ("whsec_51AbCdEf", False, "does not match"),
        ("", False, "is missing"),
        (None, False, "is missing"),
        ("   ", False, "is missing"),
    ],
)
def test_stripe_key_kinds_are_told_apart_without_echoing_the_key(key, ok, words):
    status, message = check_stripe_key(key)
    assert status is ok and words in message
    assert message.startswith("Stripe secret API key (password) ")
    assert "None" not in message
    if key and key.strip():
        assert key not in message and key[8:] not in message
