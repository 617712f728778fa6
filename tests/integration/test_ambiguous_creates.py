"""A create whose outcome is unknown (5xx after the POST was sent, or the connection dropped after
the service committed) is looked up by name before any second POST, for every resource kind;
against the emulator over real HTTP, reading its request log for the order of the calls."""

from __future__ import annotations

import json

import pytest
from aep_testing import aep_connection
from onboarding_chain import COLLECTION_PATH, STORE_ATTRIBUTE, build_chain

from airflow_provider_stripe_aep.hooks.aep import AdobeExperiencePlatformHook

FAULTS = {
    "503 after acting": ({"kind": "503", "service_effect": True}, 1),
    "503 without acting": ({"kind": "503"}, 2),
    "500 after acting": ({"kind": "500", "service_effect": True}, 1),
    "commit then drop": ({"kind": "commit_drop"}, 1),
    # The emulator carries the create out after the client gave up (as a slow service would); the
    # hook looks up at once, then again after one request timeout, and finds it: no second POST.
    "answer slower than the timeout": ({"kind": "slow", "delay": 1.2}, 1),
}
"""Fault on the kind's create, and how many POSTs it takes to have the resource."""


@pytest.mark.slow
@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("kind", list(COLLECTION_PATH))
def test_an_ambiguous_create_is_looked_up_before_it_is_sent_again(aep, monkeypatch, kind, fault):
    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep, timeout=0.8)))
    rule, posts_needed = FAULTS[fault]
    path = COLLECTION_PATH[kind]
    aep.add_fault({**rule, "times": 1, "methods": ["POST"], "path_regex": f"{path}$"})

    chain = build_chain(AdobeExperiencePlatformHook())

    store = getattr(aep.state.sandbox("prod"), STORE_ATTRIBUTE[kind])
    assert list(store) == [chain.ids[kind]]  # exactly one resource of this kind, the one returned
    calls = [(r["method"], r["fault"]) for r in aep.state.request_log if r["path"] == path]
    posts = [i for i, (method, _) in enumerate(calls) if method == "POST"]
    assert len(posts) == posts_needed
    first_post = posts[0]
    assert calls[first_post][1] == rule["kind"]  # the faulted create
    assert calls[first_post + 1][0] == "GET"  # looked up right after it
    assert calls[0][0] == "GET"  # and before it, as every ensure does
    if rule["kind"] == "slow":
        assert [method for method, _ in calls[first_post + 1 :]] in (["GET"], ["GET", "GET"])


def test_a_create_that_keeps_failing_ambiguously_is_left_to_airflow_retries(aep, monkeypatch):
    """Three creates at most per attempt, each after a lookup found nothing; then the error is
    transient (not a failure without retry) so Airflow's retry looks up once more."""
    from airflow_provider_stripe_aep.client import AEPAmbiguousError
    from airflow_provider_stripe_aep.utils.failures import is_permanent

    monkeypatch.setenv("AIRFLOW_CONN_AEP_DEFAULT", json.dumps(aep_connection(aep)))
    path = COLLECTION_PATH["base connection"]
    aep.add_fault({"kind": "503", "times": 10, "methods": ["POST"], "path_regex": f"{path}$"})
    with pytest.raises(AEPAmbiguousError) as info:
        AdobeExperiencePlatformHook().ensure_base_connection("never", auth_params={"accessToken": "k-1"})
    assert not is_permanent(info.value)
    methods = [r["method"] for r in aep.state.request_log if r["path"] == path]
    assert methods == ["GET", "POST", "GET", "POST", "GET", "POST"]
    assert aep.state.sandbox("prod").connections == {}
