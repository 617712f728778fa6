"""The tenant ID is asked of `/stats` once per process and org, however many clients a process builds."""

from __future__ import annotations

import pytest

from airflow_provider_stripe_aep.client import AEPClient, AEPClientConfig
from airflow_provider_stripe_aep.client.schema_registry import clear_tenant_cache

BASE = "https://platform.example"
IMS = "https://ims.example/ims/token/v3"
STATS = f"{BASE}/data/foundation/schemaregistry/stats"


def client(org: str = "ORG@AdobeOrg", sandbox: str = "prod") -> AEPClient:
    return AEPClient(
        AEPClientConfig(
            client_id="id",
            client_secret="secret-value-1",
            org_id=org,
            base_url=BASE,
            ims_token_url=IMS,
            sandbox=sandbox,
        )
    )


@pytest.fixture(autouse=True)
def _no_tenants_cached(requests_mock):
    clear_tenant_cache()
    requests_mock.post(IMS, json={"access_token": "tok-1", "expires_in": 86399})
    yield
    clear_tenant_cache()


def test_two_clients_of_one_org_ask_once(requests_mock):
    stats = requests_mock.get(STATS, json={"tenantId": "_acme"})
    assert client().schemas.tenant_id() == "acme"
    assert client().schemas.tenant_id() == "acme"
    assert stats.call_count == 1


def test_another_org_or_sandbox_asks_again(requests_mock):
    stats = requests_mock.get(
        STATS,
        [{"json": {"tenantId": "_acme"}}, {"json": {"tenantId": "_other"}}, {"json": {"tenantId": "_acme"}}],
    )
    assert client().schemas.tenant_id() == "acme"
    assert client(org="OTHER@AdobeOrg").schemas.tenant_id() == "other"
    assert client(sandbox="dev").schemas.tenant_id() == "acme"
    assert stats.call_count == 3


def test_a_failed_lookup_is_not_cached(requests_mock):
    stats = requests_mock.get(
        STATS, [{"status_code": 404, "json": {"title": "Not Found"}}, {"json": {"tenantId": "_acme"}}]
    )
    with pytest.raises(Exception, match="404"):
        client().schemas.tenant_id()
    assert client().schemas.tenant_id() == "acme"
    assert stats.call_count == 2
