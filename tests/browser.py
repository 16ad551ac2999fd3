"""A real browser for the web pages: Debian's chromium, headless, driven by Selenium.

Use the `browser` fixture (one chromium per test session, a fresh profile) and
`shoot(browser, name)` to keep a screenshot under tests' output folder for a human to look at.
The flags keep chromium off the network: this machine's closed network refuses its
background connections, and a test must only ever talk to 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ATELIER_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ATELIER_CHROMEDRIVER", "/usr/bin/chromedriver")
SHOTS = Path(os.environ.get("ATELIER_SHOTS", Path(tempfile.gettempdir()) / "atelier-shots"))

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--window-size=1280,900",
]


def have_browser() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def start_browser(download_dir: Path | None = None):  # type: ignore[no-untyped-def]
    """A headless chromium under Selenium; the caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="atelier-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    if download_dir is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(download_dir),
                "download.prompt_for_download": False,
            },
        )
    # Collect console messages so a test can assert a page logged no error.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver._atelier_profile = profile  # removed by stop_browser
    return driver


def stop_browser(driver) -> None:  # type: ignore[no-untyped-def]
    profile = getattr(driver, "_atelier_profile", None)
    try:
        driver.quit()
    finally:
        if profile:
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def browser(browser_downloads: Path) -> Iterator[object]:
    if not have_browser():
        if os.environ.get("CI"):
            pytest.fail(f"chromium or chromedriver missing ({CHROMIUM}, {CHROMEDRIVER})")
        pytest.skip("chromium and chromedriver are not installed (bash .ci/setup test installs them)")
    driver = start_browser(browser_downloads)
    try:
        yield driver
    finally:
        stop_browser(driver)


def shoot(driver, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a full-window PNG of the current page to look at; returns its path."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
