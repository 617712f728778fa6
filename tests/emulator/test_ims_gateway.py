"""IMS token endpoint and the platform gateway's header checks."""

from __future__ import annotations

import requests

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer

from .helpers import CLIENT_ID, ORG, Aep

FORM = {
    "grant_type": "client_credentials",
    "client_id": "cid",
    "client_secret": "s3cr3t-value",
    "scope": "openid,AdobeID",
}


def _token(url: str, **overrides: str | None) -> requests.Response:
    data = {k: v for k, v in {**FORM, **overrides}.items() if v is not None}
    return requests.post(f"{url}/ims/token/v3", data=data, timeout=5)


def test_token_is_issued_form_encoded(aep: Aep) -> None:
    response = _token(aep.url)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 86399
    assert len(body["access_token"]) > 30


def test_token_errors_are_ims_shaped_and_never_echo_the_secret(aep: Aep) -> None:
    cases = {
        "grant_type": ("invalid_request", {"grant_type": None}),
        "unsupported": ("unsupported_grant_type", {"grant_type": "password"}),
        "client_id": ("invalid_request", {"client_id": None}),
        "client_secret": ("invalid_request", {"client_secret": None}),
        "scope": ("invalid_request", {"scope": None}),
        "bad scope": ("invalid_scope", {"scope": "openid,bad scope!"}),
    }
    for name, (error, overrides) in cases.items():
        response = _token(aep.url, **overrides)
        assert response.status_code == 400, name
        assert response.json()["error"] == error, name
        assert "s3cr3t-value" not in response.text


def test_token_needs_form_content_type(aep: Aep) -> None:
    response = requests.post(f"{aep.url}/ims/token/v3", json=FORM, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_configured_client_secret_is_enforced() -> None:
    with EmulatorServer(EmulatorConfig(client_secret="the-right-one")) as srv:
        wrong = _token(srv.url)
        assert wrong.status_code == 400
        assert wrong.json() == {
            "error": "invalid_client",
            "error_description": "invalid client_secret parameter",
        }
        assert _token(srv.url, client_secret="the-right-one").status_code == 200


def test_gateway_header_checks(aep: Aep) -> None:
    path = "/schemaregistry/stats"
    ok = aep.get(path)
    assert ok.status_code == 200
    cases = [
        ({"Authorization": ""}, 403, {"error_code": "403010", "message": "Oauth token is missing."}),
        (
            {"Authorization": "Bearer not-a-token"},
            401,
            {"error_code": "401013", "message": "Oauth token is not valid"},
        ),
        ({"x-api-key": ""}, 403, {"error_code": "403000"}),
        ({"x-api-key": "someone-else"}, 403, {"error_code": "403003"}),
        ({"x-gw-ims-org-id": ""}, 400, {"error_code": "400003"}),
        ({"x-gw-ims-org-id": "ORG-without-suffix"}, 400, {"error_code": "400003"}),
    ]
    for override, status, expected in cases:
        headers = {k: v for k, v in aep.headers(**override).items() if v}
        response = aep.get(path, headers=headers)
        assert response.status_code == status, override
        assert expected.items() <= response.json().items(), override


def test_sandbox_header_rules(aep: Aep) -> None:
    headers = {k: v for k, v in aep.headers().items() if k != "x-sandbox-name"}
    missing = aep.get("/flowservice/connections", headers=headers)
    assert missing.status_code == 400
    assert missing.json()["type"].endswith("FLOW-2105-400")
    for name in ("dev", "Prod"):
        response = aep.get("/flowservice/connections", headers=aep.headers(**{"x-sandbox-name": name}))
        assert response.status_code == 404, name
        assert response.json()["type"].endswith("FLOW-2101-404")


def test_sandboxes_keep_separate_state() -> None:
    with EmulatorServer(EmulatorConfig(sandboxes=("dev",))) as srv:
        prod, dev = Aep(srv), Aep(srv, sandbox="dev")
        prod.base_connection("only in prod")
        assert len(prod.get("/flowservice/connections").json()["items"]) == 1
        assert dev.get("/flowservice/connections").json()["items"] == []


def test_body_requests_need_json_content_type(aep: Aep) -> None:
    response = aep.post(
        "/flowservice/connections", data="{}", headers=aep.headers(**{"Content-Type": "text/plain"})
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "/placeholder/type/uri",
        "status": 400,
        "title": "BadRequestError",
        "detail": "A valid content-type must be specified",
    }


def test_expire_tokens_makes_the_next_call_fail(aep: Aep) -> None:
    assert aep.get("/schemaregistry/stats").status_code == 200
    assert aep.admin("POST", "/expire-tokens").json()["expired"] >= 1
    response = aep.get("/schemaregistry/stats")
    assert response.status_code == 401
    assert response.json()["error_code"] == "401013"
    aep.token = aep.mint_token()
    assert aep.get("/schemaregistry/stats").status_code == 200


def test_expired_ttl_and_static_tokens() -> None:
    with EmulatorServer(EmulatorConfig(token_ttl=0, static_tokens=("ready-made-token",))) as srv:
        client = Aep(srv)
        assert client.get("/schemaregistry/stats").status_code == 401
        client.token = "ready-made-token"
        assert client.get("/schemaregistry/stats").status_code == 200


def test_stats_reports_tenant_and_org(aep: Aep) -> None:
    body = aep.get("/schemaregistry/stats").json()
    assert body["tenantId"] == "emulatortenant"
    assert body["imsOrg"] == ORG
    assert body["counts"]["schemas"] == 0


def test_request_log_records_calls_without_secrets(aep: Aep) -> None:
    aep.admin("DELETE", "/requests")
    requests.post(f"{aep.url}/ims/token/v3", params={**FORM}, timeout=5)
    aep.post("/flowservice/connections", json={"name": "x"})
    aep.admin("GET", "/health")
    log = aep.admin("GET", "/requests").json()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/ims/token/v3", 200),
        ("POST", "/data/foundation/flowservice/connections", 400),
    ]
    assert "s3cr3t-value" not in str(log)
    assert "client_secret=%2A%2A%2A" in log[0]["query"]
    assert aep.token not in str(log)
    assert CLIENT_ID
