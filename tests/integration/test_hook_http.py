"""The hook and client against the emulator over real loopback HTTP: retries, faults, tokens, paging."""

from __future__ import annotations

import dataclasses
import json

import pytest
from aep_testing import CLIENT_SECRET, aep_connection, requests_to

from airflow_provider_stripe_aep.client import (
    AEPAmbiguousError,
    AEPClient,
    AEPServerError,
    AEPThrottledError,
)
from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook
from airflow_provider_stripe_aep.hooks.connection_config import build_client_config
from airflow_provider_stripe_aep.sources import stripe

CONNECTIONS = "/data/foundation/flowservice/connections"


def client_for(server, **extra) -> AEPClient:
    conn = aep_connection(server, **extra)
    config = build_client_config(
        conn_id="aep_it",
        host=conn["host"],
        login=conn["login"],
        password=conn["password"],
        extra=json.dumps(conn["extra"]),
    )
    return AEPClient(config)


def base_connection_body(name: str) -> dict:
    return {
        "name": name,
        "connectionSpec": {"id": stripe.STRIPE_CONNECTION_SPEC_ID, "version": "1.0"},
        "auth": {"specName": stripe.STRIPE_AUTH_SPEC_NAME, "params": {"accessToken": "k-123456"}},
    }


def test_throttled_reads_succeed_after_waiting_retry_after(aep):
    client = client_for(aep)
    created = client.flows.create("connections", base_connection_body("throttled"))
    aep.add_fault(
        {"kind": "429", "times": 2, "retry_after": 0.2, "methods": ["GET"], "path_regex": "/connections/"}
    )
    assert client.flows.get("connections", created["id"])["name"] == "throttled"
    statuses = [r["status"] for r in requests_to(aep, path=f"{CONNECTIONS}/{created['id']}")]
    assert statuses == [429, 429, 200]


def test_a_post_answered_429_is_resent_and_creates_once(aep):
    client = client_for(aep)
    aep.add_fault(
        {"kind": "429", "times": 2, "retry_after": 0.1, "methods": ["POST"], "path_regex": "/connections$"}
    )
    created = client.flows.create("connections", base_connection_body("after-429"))
    assert [r["status"] for r in requests_to(aep, path=CONNECTIONS, method="POST")] == [429, 429, 201]
    assert list(aep.state.sandbox("prod").connections) == [created["id"]]


def test_a_post_answered_503_is_not_resent_by_the_client(aep):
    client = client_for(aep)
    aep.add_fault({"kind": "503", "times": 1, "methods": ["POST"], "path_regex": "/connections$"})
    with pytest.raises(AEPAmbiguousError, match="look the resource up"):
        client.flows.create("connections", base_connection_body("after-503"))
    assert [r["status"] for r in requests_to(aep, path=CONNECTIONS, method="POST")] == [503]


def test_a_post_to_a_closed_port_is_resent(aep):
    """A refused connection proves nothing was sent: the client sends the create again."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = client_for(aep, max_attempts=2)
    client.http.config = dataclasses.replace(client.http.config, base_url=f"http://127.0.0.1:{closed_port}")
    with pytest.raises(AEPServerError, match="gave up after 2 attempts") as info:
        client.flows.create("connections", base_connection_body("nowhere"))
    assert "ConnectionError" in str(info.value)


def test_a_slow_read_times_out_and_is_retried(aep):
    client = client_for(aep, timeout=0.5)
    created = client.flows.create("connections", base_connection_body("slow"))
    aep.add_fault({"kind": "slow", "times": 1, "delay": 1.5, "methods": ["GET"]})
    assert client.flows.get("connections", created["id"])["id"] == created["id"]
    assert len(requests_to(aep, path=f"{CONNECTIONS}/{created['id']}")) == 2


def test_exhausted_retries_give_the_documented_message(aep):
    client = client_for(aep, max_attempts=3)
    aep.add_fault({"kind": "503", "times": 10, "methods": ["GET"]})
    with pytest.raises(AEPServerError) as info:
        client.flows.get("connections", "anything")
    message = str(info.value)
    assert "gave up after 3 attempts" in message
    assert "HTTP 503" in message and "FLOW-1103-503" in message
    assert info.value.attempts == 3


def test_throttling_that_never_ends_is_bounded(aep):
    client = client_for(aep, max_attempts=2)
    aep.add_fault({"kind": "429", "times": 10, "retry_after": 0.1})
    with pytest.raises(AEPThrottledError, match="gave up after 2 attempts"):
        client.schemas.tenant_id()


def test_an_expired_token_is_replaced_once(aep):
    client = client_for(aep)
    client.schemas.tenant_id()
    aep.state.expire_tokens()
    assert client.flows.create("connections", base_connection_body("after-expiry"))["id"]
    ims_calls = [r for r in aep.state.request_log if r["path"] == "/ims/token/v3"]
    assert len(ims_calls) == 2
    assert [r["status"] for r in requests_to(aep, path=CONNECTIONS, method="POST")] == [401, 201]


def test_commit_then_drop_is_looked_up_instead_of_created_twice(aep, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    hook = AdobeExperiencePlatformHook()
    aep.add_fault(
        {"kind": "commit_drop", "times": 1, "methods": ["POST"], "path_regex": "/flowservice/connections$"}
    )
    connection_id = hook.ensure_base_connection("dropped once", auth_params={"accessToken": "k-123456"})
    store = aep.state.sandbox("prod")
    assert list(store.connections) == [connection_id]
    assert len(requests_to(aep, path=CONNECTIONS, method="POST")) == 1


def test_lists_of_several_pages_are_read_whole_or_stopped_early(aep):
    client = client_for(aep)
    for i in range(45):
        client.flows.create("connections", base_connection_body(f"page-{i:02d}"))
    aep.state.request_log.clear()
    names = [c["name"] for c in client.flows.iter("connections")]
    assert sorted(names) == [f"page-{i:02d}" for i in range(45)]
    assert len(requests_to(aep, path=CONNECTIONS, method="GET")) == 3  # 20 + 20 + 5
    aep.state.request_log.clear()
    first_two = []
    for item in client.flows.iter("connections"):
        first_two.append(item)
        if len(first_two) == 2:
            break
    assert len(requests_to(aep, path=CONNECTIONS, method="GET")) == 1


def test_name_filter_is_sent_to_the_server(aep):
    client = client_for(aep)
    for i in range(25):
        client.flows.create("connections", base_connection_body(f"filter-{i}"))
    aep.state.request_log.clear()
    found = client.flows.find_by_name("connections", "filter-24")
    assert found is not None and found["name"] == "filter-24"
    gets = requests_to(aep, path=CONNECTIONS, method="GET")
    assert len(gets) == 1
    assert "name==filter-24" in gets[0]["query"] or "name%3D%3Dfilter-24" in gets[0]["query"]


def test_hook_test_connection_reports_success_and_the_failing_step(aep, monkeypatch):
    aep.config.client_secret = CLIENT_SECRET  # the emulator now accepts this secret only
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    ok, message = AdobeExperiencePlatformHook().test_connection()
    assert ok and aep.config.tenant_id in message
    wrong = {**aep_connection(aep), "password": "a-wrong-secret-4711"}
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(wrong))
    ok, message = AdobeExperiencePlatformHook().test_connection()
    assert not ok
    assert message.startswith("IMS token:") and "invalid_client" in message
    assert "a-wrong-secret-4711" not in message
