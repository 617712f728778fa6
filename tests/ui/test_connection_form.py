"""A new user's first hour in Airflow 3's UI, in a real browser: add both connections from the forms,
reopen them, and use what was saved against the bundled emulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from airflow_ui import CLIENT_SECRET, Airflow
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from airflow_provider_stripe_aep.emulator import EmulatorServer
from airflow_provider_stripe_aep.get_provider_info import DOCUMENTATION_URL

pytestmark = pytest.mark.slow

AEP_ID = "aep_default"  # the IDs the example DAGs use
STRIPE_ID = "stripe_default"
STRIPE_KEY = "sk_test_ui-form-key-0000"  # a test key by its prefix only
ORG_ID = "UIORG@AdobeOrg"
ADD_BUTTON = "//button[normalize-space()='Add Connection']"
SAVE_BUTTON = "//*[@role='dialog']//button[normalize-space()='Save']"
AEP_EXTRA_LABELS = ("IMS org ID", "Sandbox", "Scopes", "IMS endpoint", "Access token")


class ConnectionPage:
    """Airflow 3's Admin > Connections page and its add/edit dialog."""

    def __init__(self, browser: WebDriver, airflow: Airflow, shots: Path) -> None:
        self.browser = browser
        self.airflow = airflow
        self.shots = shots

    def wait(self, condition: Any, timeout: float = 20) -> Any:
        return WebDriverWait(self.browser, timeout, poll_frequency=0.2).until(lambda _driver: condition())

    def open_list(self) -> None:
        self.browser.get(f"{self.airflow.url}/connections")
        self.wait(
            lambda: self.browser.find_elements(By.XPATH, "//button[normalize-space()='Add Connection']")
        )

    def add(self, conn_id: str, type_label: str) -> None:
        self.open_list()
        self.browser.find_element(By.XPATH, ADD_BUTTON).click()
        self.browser.find_element(By.NAME, "connection_id").send_keys(conn_id)
        combo = self.browser.find_element(By.CSS_SELECTOR, "[role=dialog] [role=combobox]")
        combo.click()
        combo.send_keys(type_label)
        self.wait(lambda: [o for o in self.browser.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text])
        combo.send_keys(Keys.ENTER)
        self.wait(lambda: self.browser.find_elements(By.NAME, "password"))

    def edit(self, conn_id: str) -> None:
        self.open_list()
        row = self.wait(
            lambda: self.browser.find_element(By.XPATH, f"//tr[.//*[normalize-space()='{conn_id}']]")
        )
        row.find_element(By.CSS_SELECTOR, "button[aria-label='Edit Connection']").click()
        self.wait(lambda: self.browser.find_elements(By.NAME, "connection_id"))

    def section(self, title: str, field: str) -> None:
        """Open the dialog's `Standard Fields` or `Extra Fields` section unless `field` already shows."""
        inputs = self.browser.find_elements(By.NAME, field)
        if inputs and inputs[0].is_displayed():
            return
        header = f"//*[@role='dialog']//button[normalize-space()='{title}']"
        self.browser.find_element(By.XPATH, header).click()
        self.wait(lambda: self.field(field).is_displayed())

    def field(self, name: str) -> WebElement:
        return self.browser.find_element(By.NAME, name)

    def visible_inputs(self) -> set[str]:
        dialog = self.browser.find_element(By.CSS_SELECTOR, "[role=dialog]")
        return {
            e.get_attribute("name") or ""
            for e in dialog.find_elements(By.CSS_SELECTOR, "input, textarea")
            if e.is_displayed() and e.get_attribute("name")
        }

    def label_of(self, name: str) -> str:
        element_id = self.field(name).get_attribute("id")
        return self.browser.find_element(By.CSS_SELECTOR, f"label[for='{element_id}']").text.strip()

    def extra_box(self, name: str) -> str:
        """An extra field's label and description, as shown."""
        return self.field(name).find_element(By.XPATH, "./ancestor::*[.//label][1]").text

    def save(self, conn_id: str) -> None:
        self.browser.find_elements(By.XPATH, "//*[@role='dialog']//button[normalize-space()='Save']")[
            -1
        ].click()
        self.wait(lambda: self.airflow.api("GET", f"/connections/{conn_id}")[0] == 200)
        self.wait(lambda: not self.browser.find_elements(By.CSS_SELECTOR, "[role=dialog]"))

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.browser.save_screenshot(str(path))
        return path


@pytest.fixture
def page(browser: WebDriver, airflow_server: Airflow, tmp_path: Path) -> ConnectionPage:
    return ConnectionPage(browser, airflow_server, tmp_path)


def saved(airflow: Airflow, conn_id: str) -> dict[str, Any]:
    status, body = airflow.api("GET", f"/connections/{conn_id}")
    assert status == 200, body
    return body


def test_connection(airflow: Airflow, body: dict[str, Any]) -> dict[str, Any]:
    status, answer = airflow.api("POST", "/connections/test", body)
    assert status == 200, answer
    return answer


test_connection.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def assert_readable(message: str, *secrets: str) -> None:
    assert "None" not in message and "Connection '" not in message  # no Python None, no random test ID
    for secret in secrets:
        assert secret not in message


def test_stripe_connection_form_and_test(page: ConnectionPage, airflow_server: Airflow) -> None:
    page.add(STRIPE_ID, "Stripe")
    assert page.label_of("password") == "Stripe secret API key"
    assert page.field("password").get_attribute("type") == "password"
    assert not {"host", "schema", "port", "login"} & page.visible_inputs()
    page.field("password").send_keys(STRIPE_KEY)
    page.shot("stripe-form-new")
    page.save(STRIPE_ID)

    assert saved(airflow_server, STRIPE_ID)["password"] != STRIPE_KEY
    page.edit(STRIPE_ID)
    assert page.field("password").get_attribute("value") != STRIPE_KEY
    assert STRIPE_KEY not in page.browser.page_source

    good = test_connection(airflow_server, {"connection_id": STRIPE_ID, "conn_type": "stripe"})
    assert good == {
        "status": True,
        "message": "Stripe secret API key (password) looks like a secret test-mode key; "
        "no request was sent to Stripe.",
    }
    publishable = "pk_test_51UiPublishableKey0000"
    bad = test_connection(
        airflow_server, {"connection_id": STRIPE_ID, "conn_type": "stripe", "password": publishable}
    )
    assert bad["status"] is False and "publishable key" in bad["message"]
    assert_readable(bad["message"], publishable, STRIPE_KEY)

    status, providers = airflow_server.api("GET", "/providers")
    assert status == 200
    ours = [p for p in providers["providers"] if p["package_name"] == "airflow-provider-stripe-aep"]
    assert [p["documentation_url"] for p in ours] == [DOCUMENTATION_URL]


def test_aep_connection_added_with_the_form_defaults_works(
    page: ConnectionPage, airflow_server: Airflow, emulator: EmulatorServer
) -> None:
    page.add(AEP_ID, "Adobe Experience Platform")
    assert {page.label_of(n) for n in ("host", "login", "password")} == {
        "Platform URL",
        "Client ID",
        "Client secret",
    }
    assert page.field("password").get_attribute("type") == "password"
    assert not {"schema", "port"} & page.visible_inputs()
    page.field("host").send_keys(emulator.url)
    page.field("login").send_keys("ui-client-id")
    page.field("password").send_keys(CLIENT_SECRET)

    page.section("Extra Fields", "element_org_id")
    for name, label in zip(
        ("org_id", "sandbox", "scopes", "ims_endpoint", "access_token"), AEP_EXTRA_LABELS, strict=True
    ):
        assert page.extra_box(f"element_{name}").startswith(label)
    assert "Default: https://ims-na1.adobelogin.com/ims/token/v3" in page.extra_box("element_ims_endpoint")
    assert "session" in page.extra_box("element_scopes")
    assert page.field("element_ims_endpoint").get_attribute("value") == ""  # not `***`
    assert page.field("element_access_token").get_attribute("type") == "password"
    page.field("element_org_id").send_keys(ORG_ID)
    assert page.shot("aep-form-new").stat().st_size > 0
    page.save(AEP_ID)

    stored = saved(airflow_server, AEP_ID)
    extra = json.loads(stored["extra"] or "{}")
    assert stored["password"] != CLIENT_SECRET
    assert extra["org_id"] == ORG_ID and "***" not in extra.values()
    assert "ims_token_url" not in extra

    # Reopened: the secret stays hidden, the settings show as saved.
    page.edit(AEP_ID)
    page.section("Standard Fields", "password")
    assert page.field("password").get_attribute("type") == "password"
    assert page.field("password").get_attribute("value") != CLIENT_SECRET
    assert CLIENT_SECRET not in page.browser.page_source
    page.section("Extra Fields", "element_org_id")
    assert page.field("element_org_id").get_attribute("value") == ORG_ID
    assert page.field("element_ims_endpoint").get_attribute("value") == ""
    page.shot("aep-form-reopened")

    # The saved connection runs the onboarding DAG against the emulator.
    if airflow_server.api("GET", f"/connections/{STRIPE_ID}")[0] == 404:
        airflow_server.api(
            "POST",
            "/connections",
            {"connection_id": STRIPE_ID, "conn_type": "stripe", "password": STRIPE_KEY},
        )
    conf = {"resource_path": "refunds", "poll_interval": 0.3, "name_prefix": "UI"}
    run = airflow_server.cli(
        "dags", "test", "stripe_to_aep_onboarding", "--conf", json.dumps(conf), timeout=300
    )
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    assert len(emulator.state.sandboxes["prod"].flows) == 1
    assert {token.client_id for token in emulator.state.tokens.values()} == {"ui-client-id"}

    # A URL typed into the IMS endpoint field is shown again when reopened, not masked as `***`.
    page.field("element_ims_endpoint").send_keys(emulator.ims_url)
    page.save(AEP_ID)
    assert json.loads(saved(airflow_server, AEP_ID)["extra"])["ims_endpoint"] == emulator.ims_url
    page.edit(AEP_ID)
    page.section("Extra Fields", "element_ims_endpoint")
    assert page.field("element_ims_endpoint").get_attribute("value") == emulator.ims_url

    # Test, through the API's test endpoint with the saved connection (3.3.2's button sends port 0).
    good = test_connection(
        airflow_server, {"connection_id": AEP_ID, "conn_type": "adobe_experience_platform"}
    )
    assert good == {
        "status": True,
        "message": f"Connected to sandbox 'prod' (tenant {emulator.config.tenant_id}).",
    }
    wrong = "ui-wrong-secret-0042"
    bad = test_connection(
        airflow_server,
        {
            "connection_id": AEP_ID,
            "conn_type": "adobe_experience_platform",
            "host": emulator.url,
            "login": "ui-client-id",
            "password": wrong,
        },
    )
    assert bad["status"] is False
    assert bad["message"].startswith(f"IMS token: {emulator.ims_url} refused the token request: HTTP 400")
    assert "invalid_client" in bad["message"] and "client secret (password)" in bad["message"]
    assert_readable(bad["message"], wrong, CLIENT_SECRET)

    cli = airflow_server.cli("connections", "test", AEP_ID)
    assert "Connection success!" in cli.stdout, cli.stdout + cli.stderr[-2000:]
