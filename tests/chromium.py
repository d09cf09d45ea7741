"""A real browser for tests: Debian's Chromium, headless, driven by Selenium; an accessibility
check with axe-core; screenshots for a person to look at; a loopback HTTP server to open pages
from. Nothing is downloaded: the browser and its driver are the system's (`apt-get install
chromium chromium-driver`), and a missing one fails the test with one line saying so."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from axe_selenium_python import Axe
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PHONE = (390, 844)
DESKTOP = (1366, 900)
SERIOUS = ("serious", "critical")


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    """A headless Chromium, closed on exit."""
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: install Debian's chromium and chromium-driver "
                    "(`apt-get install chromium chromium-driver`, as .ci/run does)", pytrace=False)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--lang=ru-RU"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def viewport(driver: webdriver.Chrome, width: int, height: int) -> None:
    """Make the page's viewport exactly width × height CSS pixels; narrow ones as a phone's."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def screenshot(driver: webdriver.Chrome, folder: Path, name: str, tallest: int = 8000) -> Path:
    """The whole page (up to `tallest` pixels) as `folder/name.png`, at the current width."""
    width = driver.execute_script("return window.innerWidth")
    height = driver.execute_script("return window.innerHeight")
    full = min(tallest, driver.execute_script("return document.documentElement.scrollHeight"))
    viewport(driver, width, full)
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    viewport(driver, width, height)
    return path


def serious_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page now open."""
    axe = Axe(driver)
    axe.inject()
    found = axe.run(options='{"resultTypes": ["violations"]}')
    return [v for v in found["violations"] if v.get("impact") in SERIOUS]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation: the rule, its impact, what it asks, where (first three nodes)."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in violations)


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP on a free loopback port; yields its base URL, ending in /."""
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
