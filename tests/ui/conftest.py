"""Fixtures for `make test-ui`: a real Airflow API server with its own home, the emulator, and a
headless Chromium.

These tests need Chromium and chromedriver (Debian's `chromium`, `chromium-driver`), which `make test-ui`
installs; so they run only when tests/ui is named on the command line, not in `make test`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from airflow_ui import CLIENT_SECRET, Airflow

from airflow_provider_stripe_aep.emulator import EmulatorServer

UI_DIR = Path(__file__).resolve().parent
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,2200",
)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    named = [Path(arg.split("::")[0]).resolve() for arg in config.args]
    if any(path == UI_DIR or UI_DIR in path.parents for path in named):
        return None
    return True


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    server = EmulatorServer(client_secret=CLIENT_SECRET, run_seconds=0.3).start()  # refuses other secrets
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def airflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Airflow]:
    server = Airflow(tmp_path_factory.mktemp("airflow-home"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=tmp_path_factory.getbasetemp())
    options.add_argument(f"--user-data-dir={profile}")
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    driver = webdriver.Chrome(
        options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    )
    driver.implicitly_wait(10)
    try:
        yield driver
    finally:
        driver.quit()
