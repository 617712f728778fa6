"""Every field of an AEP connection is checked before any request, and a bad one is named."""

from __future__ import annotations

import json

import pytest
import requests_mock

from airflow_provider_stripe_aep.hooks.connection_config import build_client_config
from airflow_provider_stripe_aep.validation import InvalidInputError

SECRET = "super-secret-value"
ORG = {"org_id": "ABC@AdobeOrg"}


def build(extra, login="cid", password=SECRET, host=None, conn_id="aep_x"):
    return build_client_config(conn_id=conn_id, host=host, login=login, password=password, extra=extra)


def test_defaults_follow_the_contract():
    cfg = build(json.dumps(ORG))
    assert cfg.base_url == "https://platform.adobe.io"
    assert cfg.sandbox == "prod"
    assert cfg.ims_token_url == "https://ims-na1.adobelogin.com/ims/token/v3"
    assert cfg.scopes == "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"
    assert cfg.client_id == "cid" and cfg.client_secret == SECRET
    assert cfg.verify is True and cfg.name == "aep_x"


def test_extras_are_read_including_airflow2_prefixed_keys():
    cfg = build(
        {
            "extra__adobe_experience_platform__org_id": "ABC@AdobeOrg",
            "sandbox": "dev-2",
            "scopes": "openid,AdobeID",
            "ca_bundle": "/etc/ca.pem",
            "max_attempts": "7",
            "backoff_base": 0.1,
            "timeout": "12",
        },
        host="http://127.0.0.1:9999",
    )
    assert cfg.org_id == "ABC@AdobeOrg" and cfg.sandbox == "dev-2" and cfg.scopes == "openid,AdobeID"
    assert cfg.base_url == "http://127.0.0.1:9999" and cfg.verify == "/etc/ca.pem"
    assert cfg.retry.max_attempts == 7 and cfg.retry.backoff_base == 0.1 and cfg.timeout == 12.0


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"ims_endpoint": "https://ims-eu.example.com/ims/token/v3"},
            "https://ims-eu.example.com/ims/token/v3",
        ),
        ({"ims_token_url": "https://old.example.com/ims/token/v3"}, "https://old.example.com/ims/token/v3"),
        (
            {"ims_endpoint": "https://new.example.com/t", "ims_token_url": "https://old.example.com/t"},
            "https://new.example.com/t",
        ),
        ({"ims_token_url": "***"}, "https://ims-na1.adobelogin.com/ims/token/v3"),
        ({"ims_endpoint": "***"}, "https://ims-na1.adobelogin.com/ims/token/v3"),
        (
            {"extra__adobe_experience_platform__ims_endpoint": "https://f.example.com/t"},
            "https://f.example.com/t",
        ),
        ({"ims_endpoint": ""}, "https://ims-na1.adobelogin.com/ims/token/v3"),
    ],
    ids=["new key", "old key", "new key wins", "masked old key", "masked new key", "airflow 2 form", "empty"],
)
def test_ims_endpoint_new_name_old_name_and_airflows_mask(extra, expected):
    assert build({**ORG, **extra}).ims_token_url == expected


def test_a_loopback_platform_gets_its_own_ims_endpoint_by_default():
    """The bundled emulator serves IMS on the platform's port: a form with only the platform URL works."""
    assert build(ORG, host="http://127.0.0.1:8080/").ims_token_url == "http://127.0.0.1:8080/ims/token/v3"
    assert build(ORG, host="http://localhost:8080").ims_token_url == "http://localhost:8080/ims/token/v3"
    assert build(ORG, host="https://aep.example.com").ims_token_url == (
        "https://ims-na1.adobelogin.com/ims/token/v3"
    )


def test_scopes_copied_from_adobes_pages_are_trimmed():
    cfg = build({**ORG, "scopes": " openid, AdobeID,  read_organizations "})
    assert cfg.scopes == "openid,AdobeID,read_organizations"


BAD = [
    # (id, kwargs, field, words the message must contain)
    ("extra not JSON", {"extra": "{not json"}, "extra", ("JSON object", "not valid JSON")),
    ("extra a list", {"extra": "[1, 2]"}, "extra", ("JSON object",)),
    ("extra a string", {"extra": '"org"'}, "extra", ("JSON object",)),
    ("org_id missing", {"extra": {}}, "org_id", ("IMS org ID", "is missing", "ABC123@AdobeOrg")),
    ("org_id empty", {"extra": {"org_id": ""}}, "org_id", ("is missing",)),
    ("org_id masked", {"extra": {"org_id": "***"}}, "org_id", ("is missing",)),
    ("org_id without suffix", {"extra": {"org_id": "ABC"}}, "org_id", ("'ABC'", "@AdobeOrg")),
    ("org_id wrong case", {"extra": {"org_id": "ABC@adobeorg"}}, "org_id", ("'ABC@adobeorg'", "@AdobeOrg")),
    ("org_id a number", {"extra": {"org_id": 123}}, "org_id", ("123", "@AdobeOrg")),
    ("sandbox uppercase", {"extra": {**ORG, "sandbox": "Prod"}}, "sandbox", ("'Prod'", "lowercase")),
    ("sandbox underscore", {"extra": {**ORG, "sandbox": "my_sb"}}, "sandbox", ("'my_sb'", "hyphens")),
    ("scopes empty item", {"extra": {**ORG, "scopes": "openid,,AdobeID"}}, "scopes", ("empty item",)),
    ("scope with a space", {"extra": {**ORG, "scopes": "openid,Adobe ID"}}, "scopes", ("contains a space",)),
    ("login missing", {"extra": ORG, "login": None}, "login", ("Client ID", "is missing", "x-api-key")),
    ("login blank", {"extra": ORG, "login": "  "}, "login", ("Client ID", "is missing")),
    ("password missing", {"extra": ORG, "password": None}, "password", ("Client secret", "access_token")),
    ("password empty", {"extra": ORG, "password": ""}, "password", ("Client secret", "is missing")),
    ("host without scheme", {"extra": ORG, "host": "platform.adobe.io"}, "host", ("no scheme", "https://")),
    ("host plain http", {"extra": ORG, "host": "http://platform.adobe.io"}, "host", ("loopback",)),
    ("host other scheme", {"extra": ORG, "host": "ftp://platform.adobe.io"}, "host", ("https://",)),
    ("host without hostname", {"extra": ORG, "host": "https://"}, "host", ("with a host",)),
    ("host with a space", {"extra": ORG, "host": "https://plat form.io"}, "host", ("https://",)),
    (
        "ims endpoint other scheme",
        {"extra": {**ORG, "ims_endpoint": "ftp://x"}},
        "ims_endpoint",
        ("IMS endpoint", "'ftp://x'"),
    ),
    (
        "ims endpoint plain http",
        {"extra": {**ORG, "ims_endpoint": "http://ims.example.com/t"}},
        "ims_endpoint",
        ("loopback",),
    ),
    (
        "old ims key without scheme",
        {"extra": {**ORG, "ims_token_url": "ims.example.com"}},
        "ims_token_url",
        ("IMS endpoint", "no scheme"),
    ),
    ("unknown extra", {"extra": {**ORG, "sandbx": "dev"}}, "extra", ("'sandbx'", "org_id, sandbox")),
    ("max_attempts words", {"extra": {**ORG, "max_attempts": "many"}}, "max_attempts", ("'many'", "whole")),
    ("max_attempts zero", {"extra": {**ORG, "max_attempts": 0}}, "max_attempts", (">= 1",)),
    ("max_attempts fraction", {"extra": {**ORG, "max_attempts": 2.5}}, "max_attempts", ("whole number",)),
    ("backoff negative", {"extra": {**ORG, "backoff_base": -1}}, "backoff_base", (">= 0",)),
    ("timeout zero", {"extra": {**ORG, "timeout": 0}}, "timeout", ("a number",)),
    ("timeout bool", {"extra": {**ORG, "timeout": True}}, "timeout", ("a number",)),
]


@pytest.mark.parametrize(("kwargs", "field", "words"), [case[1:] for case in BAD], ids=[c[0] for c in BAD])
def test_bad_connections_are_refused_before_any_request(kwargs, field, words):
    with requests_mock.Mocker() as http:  # no request may be sent, to IMS or anywhere
        with pytest.raises(InvalidInputError) as info:
            build(**kwargs)
        assert http.call_count == 0
    message = str(info.value)
    assert info.value.field == field
    assert message.startswith("Connection 'aep_x': ")
    for word in words:
        assert word in message
    assert SECRET not in message
    assert "None" not in message
    assert message.count("Invalid") == 0 and message.count("Connection") == 1


def test_without_a_connection_id_the_message_has_no_prefix():
    """Airflow's Test button tests under a random ID the user has never seen: name no connection."""
    with pytest.raises(InvalidInputError) as info:
        build({}, conn_id=None)
    assert str(info.value) == (
        "IMS org ID (extra org_id) is missing: required, an IMS organization ID such as 'ABC123@AdobeOrg'."
    )


def test_access_token_extra_replaces_the_secret():
    cfg = build({**ORG, "access_token": "ready-token"}, password=None)
    assert cfg.access_token == "ready-token" and cfg.client_secret is None
    assert "ready-token" not in repr(cfg)
