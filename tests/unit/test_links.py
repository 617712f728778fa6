from __future__ import annotations

from unittest import mock

from airflow_provider_stripe_aep.links import (
    LINK_XCOM_KEY,
    AEPDataflowLink,
    AEPDataflowRunLink,
    dataflow_url,
    dataset_asset,
    dataset_asset_uri,
    push_link,
)

PUSHED = {"org_id": "ORG@AdobeOrg", "sandbox": "dev-1", "flow_id": "f-1", "run_id": "r-1"}


def test_urls_are_built_from_org_sandbox_and_ids():
    assert dataflow_url("ORG@AdobeOrg", "dev-1", "f-1") == (
        "https://experience.adobe.com/#/@ORG%40AdobeOrg/sname:dev-1/platform/source/dataflows/f-1"
    )


def test_links_read_the_pushed_ids(mocker):
    get_value = mocker.patch("airflow_provider_stripe_aep.links.XCom.get_value", return_value=PUSHED)
    assert AEPDataflowLink().get_link(None, ti_key="k").endswith("/dataflows/f-1")
    assert AEPDataflowRunLink().get_link(None, ti_key="k").endswith("/dataflows/f-1/runs/r-1")
    get_value.assert_called_with(ti_key="k", key=LINK_XCOM_KEY)
    get_value.return_value = {**PUSHED, "run_id": None}
    assert AEPDataflowRunLink().get_link(None, ti_key="k").endswith("/dataflows/f-1")
    get_value.return_value = None
    assert AEPDataflowLink().get_link(None, ti_key="k") == ""


def test_push_link_pushes_only_non_secret_ids():
    ti = mock.MagicMock()
    push_link({"ti": ti}, org_id="O", sandbox="prod", flow_id="f", run_id=None)
    ti.xcom_push.assert_called_once_with(
        key=LINK_XCOM_KEY, value={"org_id": "O", "sandbox": "prod", "flow_id": "f", "run_id": None}
    )


def test_the_dataset_asset_uri_is_known_from_names():
    uri = dataset_asset_uri("prod", "Airflow Stripe charges dataset")
    assert uri == "aep://prod/datasets/Airflow%20Stripe%20charges%20dataset"
    assert dataset_asset("prod", "Airflow Stripe charges dataset").uri == uri


def test_the_links_are_registered_with_airflow():
    from airflow.providers_manager import ProvidersManager

    from airflow_provider_stripe_aep.get_provider_info import get_provider_info

    registered = get_provider_info()["extra-links"]
    assert registered == [
        f"{AEPDataflowLink.__module__}.{c.__name__}" for c in (AEPDataflowLink, AEPDataflowRunLink)
    ]
    assert set(registered) <= set(ProvidersManager().extra_links_class_names)
