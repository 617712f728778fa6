from __future__ import annotations

import json

import pytest

from airflow_provider_stripe_aep.hooks.connection_config import build_client_config
from airflow_provider_stripe_aep.validation import InvalidInputError

SECRET = "super-secret-value"


def build(extra, login="cid", password=SECRET, host=None):
    return build_client_config(conn_id="aep_x", host=host, login=login, password=password, extra=extra)


def test_defaults_follow_the_contract():
    cfg = build(json.dumps({"org_id": "ABC@AdobeOrg"}))
    assert cfg.base_url == "https://platform.adobe.io"
    assert cfg.sandbox == "prod"
    assert cfg.ims_token_url == "https://ims-na1.adobelogin.com/ims/token/v3"
    assert cfg.client_id == "cid" and cfg.client_secret == SECRET
    assert cfg.verify is True


def test_extras_are_read_including_airflow2_prefixed_keys():
    cfg = build(
        {
            "extra__adobe_experience_platform__org_id": "ABC@AdobeOrg",
            "sandbox": "dev-2",
            "scopes": "openid,AdobeID",
            "ca_bundle": "/etc/ca.pem",
            "max_attempts": "7",
        },
        host="http://127.0.0.1:9999",
    )
    assert cfg.org_id == "ABC@AdobeOrg" and cfg.sandbox == "dev-2" and cfg.scopes == "openid,AdobeID"
    assert cfg.base_url == "http://127.0.0.1:9999" and cfg.verify == "/etc/ca.pem"
    assert cfg.retry.max_attempts == 7


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"extra": "{not json"}, "extra"),
        ({"extra": "[1, 2]"}, "extra"),
        ({"extra": {}}, "org_id"),
        ({"extra": {"org_id": "ABC"}}, "org_id"),
        ({"extra": {"org_id": "ABC@AdobeOrg", "sandbox": "Prod"}}, "sandbox"),
        ({"extra": {"org_id": "ABC@AdobeOrg"}, "login": None}, "login"),
        ({"extra": {"org_id": "ABC@AdobeOrg"}, "password": None}, "password"),
        ({"extra": {"org_id": "ABC@AdobeOrg", "ims_token_url": "ftp://x"}}, "ims_token_url"),
        ({"extra": {"org_id": "ABC@AdobeOrg", "max_attempts": "many"}}, "extra"),
    ],
)
def test_malformed_connections_name_the_field_and_the_connection(kwargs, field):
    with pytest.raises(InvalidInputError) as info:
        build(**kwargs)
    assert info.value.field == field
    assert "aep_x" in str(info.value) and field in str(info.value)
    assert SECRET not in str(info.value)


def test_access_token_extra_replaces_the_secret():
    cfg = build({"org_id": "ABC@AdobeOrg", "access_token": "ready-token"}, password=None)
    assert cfg.access_token == "ready-token" and cfg.client_secret is None
    assert "ready-token" not in repr(cfg)
