"""The Stripe connection: an empty key is refused before any request, naming the field; Test says
what kind of key it holds without showing it."""

from __future__ import annotations

import json

import pytest
import requests_mock

from airflow_provider_stripe_aep.hooks.stripe import StripeHook
from airflow_provider_stripe_aep.utils.failures import is_permanent
from airflow_provider_stripe_aep.validation import InvalidInputError


@pytest.mark.parametrize("password", [None, "", "   "])
def test_an_empty_key_is_refused_before_any_request(monkeypatch, password):
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_EMPTY", json.dumps({"conn_type": "stripe", "password": password}))
    with requests_mock.Mocker() as http, pytest.raises(InvalidInputError) as info:
        StripeHook("stripe_empty").get_api_key()
    assert http.call_count == 0
    assert info.value.field == "password" and is_permanent(info.value)
    assert str(info.value) == (
        "Connection 'stripe_empty': Stripe secret API key (password) is missing: "
        "copy it from Dashboard > Developers > API keys."
    )


def test_the_test_button_names_the_key_kind(monkeypatch):
    key = "rk_test_51HookKey"
    monkeypatch.setenv("AIRFLOW_CONN_STRIPE_OK", json.dumps({"conn_type": "stripe", "password": key}))
    with requests_mock.Mocker() as http:
        ok, message = StripeHook("stripe_ok").test_connection()
    assert http.call_count == 0
    assert ok and "restricted test-mode key" in message and key not in message
    assert StripeHook("stripe_ok").get_api_key() == key
