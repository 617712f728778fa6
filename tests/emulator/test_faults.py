"""Fault injection: 429/503/500, slow answers, commit-then-drop; the rules' selection logic."""

from __future__ import annotations

import time

import pytest
import requests

from airflow_provider_stripe_aep.emulator import EmulatorConfig, EmulatorServer, FaultRule

from .helpers import Aep, base_connection_body


def _connection_names(aep: Aep) -> list[str]:
    return [c["name"] for c in aep.get("/flowservice/connections").json()["items"]]


def test_429_with_retry_after_does_nothing(aep: Aep) -> None:
    aep.admin("POST", "/faults", json={"kind": "429", "times": 1, "retry_after": 2, "methods": ["POST"]})
    throttled = aep.post("/flowservice/connections", json=base_connection_body("throttled"))
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "2"
    assert _connection_names(aep) == []
    assert aep.post("/flowservice/connections", json=base_connection_body("second try")).status_code == 201
    assert _connection_names(aep) == ["second try"]


def test_503_does_nothing_and_says_so(aep: Aep) -> None:
    aep.admin("POST", "/faults", json=[{"kind": "503", "times": 1, "path_regex": "/connections$"}])
    unavailable = aep.post("/flowservice/connections", json=base_connection_body("lost"))
    assert unavailable.status_code == 503
    assert unavailable.json()["type"].endswith("FLOW-1103-503")
    assert _connection_names(aep) == []


def test_500_with_service_effect_creates(aep: Aep) -> None:
    aep.admin(
        "POST", "/faults", json={"kind": "500", "times": 1, "methods": ["POST"], "service_effect": True}
    )
    failed = aep.post("/flowservice/connections", json=base_connection_body("created anyway"))
    assert failed.status_code == 500
    assert _connection_names(aep) == ["created anyway"]


def test_slow_triggers_a_client_read_timeout(aep: Aep) -> None:
    aep.admin("POST", "/faults", json={"kind": "slow", "times": 1, "delay": 1.0, "methods": ["GET"]})
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        aep.get("/flowservice/connections", timeout=0.3)
    assert time.monotonic() - started < 1.0
    assert aep.get("/flowservice/connections").status_code == 200


def test_commit_drop_creates_then_drops_the_connection(aep: Aep) -> None:
    aep.admin(
        "POST",
        "/faults",
        json={
            "kind": "commit_drop",
            "times": 1,
            "methods": ["POST"],
            "path_regex": "/flowservice/connections$",
        },
    )
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.post(
            f"{aep.url}/data/foundation/flowservice/connections",
            json=base_connection_body("dropped"),
            headers=aep.headers(),
            timeout=5,
        )
    assert _connection_names(aep) == ["dropped"]
    log = aep.admin("GET", "/requests").json()
    dropped = [e for e in log if e["fault"] == "commit_drop"]
    assert dropped and dropped[0]["status"] == 201


def test_commit_drop_on_delete(aep: Aep) -> None:
    base = aep.base_connection()
    aep.admin("POST", "/faults", json={"kind": "commit_drop", "times": 1, "methods": ["DELETE"]})
    with pytest.raises((requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        requests.delete(
            f"{aep.url}/data/foundation/flowservice/connections/{base}", headers=aep.headers(), timeout=5
        )
    assert aep.get(f"/flowservice/connections/{base}").status_code == 404


def test_faults_on_ims_and_never_on_admin(aep: Aep) -> None:
    aep.admin("POST", "/faults", json={"kind": "503", "times": 5})
    assert aep.admin("GET", "/health").status_code == 200
    token = requests.post(f"{aep.url}/ims/token/v3", data={"grant_type": "client_credentials"}, timeout=5)
    assert token.status_code == 503
    remaining = aep.admin("GET", "/faults").json()
    assert remaining[0]["times"] == 4
    assert aep.admin("DELETE", "/faults").status_code == 204
    assert aep.admin("GET", "/faults").json() == []


def test_rate_rules_are_deterministic_per_seed() -> None:
    def pattern(seed: int) -> list[int]:
        with EmulatorServer(EmulatorConfig(seed=seed, faults=[FaultRule(kind="429", rate=0.5)])) as srv:
            return [requests.get(f"{srv.url}/data/foundation/x", timeout=5).status_code for _ in range(20)]

    first, second = pattern(7), pattern(7)
    assert first == second
    assert 429 in first and any(code != 429 for code in first)


def test_bad_rules_are_rejected(aep: Aep) -> None:
    for rule in ({"kind": "418"}, {"kind": "429", "rate": 2}, {"kind": "429", "colour": "red"}):
        assert aep.admin("POST", "/faults", json=rule).status_code == 400


def test_cli_fault_spec_parsing() -> None:
    rule = FaultRule.parse("429:rate=0.2:retry_after=1:methods=get,post")
    assert (rule.kind, rule.rate, rule.retry_after, rule.methods, rule.times) == (
        "429",
        0.2,
        1.0,
        ["GET", "POST"],
        None,
    )
    assert FaultRule.parse("commit_drop").times == 1
    slow = FaultRule.parse("slow:times=3:delay=2.5:path_regex=/flows")
    assert (slow.times, slow.delay, slow.path_regex) == (3, 2.5, "/flows")
    with pytest.raises(ValueError):
        FaultRule.parse("503:times")


def test_502_answers_with_an_html_page(aep: Aep) -> None:
    aep.admin("POST", "/faults", json={"kind": "502", "times": 1, "methods": ["POST"]})
    response = aep.post("/flowservice/connections", json=base_connection_body("behind a bad gateway"))
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text
    assert _connection_names(aep) == []


def test_503_can_carry_retry_after_and_act(aep: Aep) -> None:
    aep.admin(
        "POST",
        "/faults",
        json={"kind": "503", "times": 1, "retry_after": 3, "service_effect": True, "methods": ["POST"]},
    )
    response = aep.post("/flowservice/connections", json=base_connection_body("acted"))
    assert response.status_code == 503 and response.headers["Retry-After"] == "3"
    assert _connection_names(aep) == ["acted"]


def _mix_faults(seed: int) -> list[str | None]:
    rule = FaultRule(
        kind="mix",
        rate=0.5,
        kinds={"429": 1, "503": 1, "502": 1, "commit_drop": 1},
        methods=["GET"],
        path_regex=r"/connections$",
        retry_after=0,
    )
    with EmulatorServer(EmulatorConfig(seed=seed, faults=[rule])) as srv:
        aep = Aep(srv)
        for _ in range(80):
            try:
                aep.get("/flowservice/connections")
            except requests.exceptions.RequestException:  # commit_drop: a truncated answer
                pass
        aep.post("/flowservice/connections", json=base_connection_body("never faulted"))
        log = aep.admin("GET", "/requests").json()
    return [e["fault"] for e in log if e["path"].endswith("/connections")]


def test_mix_rule_has_one_combined_seeded_rate() -> None:
    faults = _mix_faults(seed=7)
    gets = faults[:80]
    injected = [f for f in gets if f is not None]
    assert 25 <= len(injected) <= 55  # rate 0.5 over 80 requests
    assert set(injected) == {"429", "503", "502", "commit_drop"}
    assert faults[80] is None  # POST does not match methods=["GET"]
    assert _mix_faults(seed=7) == faults  # the same seed gives the same faults


def test_mix_rule_validation() -> None:
    with pytest.raises(ValueError, match="kinds"):
        FaultRule(kind="mix", rate=0.1)
    with pytest.raises(ValueError, match="among"):
        FaultRule(kind="mix", rate=0.1, kinds=["418"])
    with pytest.raises(ValueError, match="only for rules of kind 'mix'"):
        FaultRule(kind="429", kinds=["503"])
    parsed = FaultRule.parse("mix:rate=0.3:kinds=429,503,slow:delay=2")
    assert parsed.kinds == {"429": 1.0, "503": 1.0, "slow": 1.0} and parsed.delay == 2.0


def test_slow_post_still_acts_after_the_client_gave_up(aep: Aep) -> None:
    aep.admin("POST", "/faults", json={"kind": "slow", "times": 1, "delay": 0.6, "methods": ["POST"]})
    with pytest.raises(requests.exceptions.ReadTimeout):
        aep.post("/flowservice/connections", json=base_connection_body("slow but created"), timeout=0.2)
    time.sleep(0.8)
    assert _connection_names(aep) == ["slow but created"]
