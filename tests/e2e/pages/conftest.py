"""The pages as people use them: `konkurs api` serving the app on loopback over the test's home,
and Debian's headless Chromium driven by Selenium. Every step a journey takes is screenshotted
into test-artifacts/pages/<test>/ and checked with axe-core: a serious violation fails the test."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from domain.actors import Actor
from tests.chromium import DESKTOP, PHONE, chromium, describe, screenshot, serious_violations, viewport
from tests.e2e.api_server import ApiServer
from tests.e2e.conftest import Cli

REPO = Path(__file__).resolve().parents[3]
ARTIFACTS = REPO / "test-artifacts" / "pages"


class Journey:
    """One person's browser on the pages: open, fill, press, and look at each step."""

    def __init__(self, driver: webdriver.Chrome, base: str, folder: Path) -> None:
        self.driver = driver
        self.base = base
        self.folder = folder
        self.steps = 0

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    @property
    def path(self) -> str:
        return urlparse(self.driver.current_url).path

    @property
    def text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "main").text

    @property
    def title(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "h1").text

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, field: str, value: str) -> None:
        """Type into the field whose id is `field` (its label's `for`), replacing what was there."""
        element = self.find(f"#{field}")
        if element.tag_name == "select":
            Select(element).select_by_value(value)
            return
        element.clear()
        element.send_keys(value)

    def press(self, label: str, navigates: bool = True) -> None:
        """Press the button (or follow the link) whose visible text is `label`, and wait for the
        page it leads to."""
        for element in self.all("button, a.button, input[type=submit]"):
            if element.text.strip() == label or element.get_attribute("value") == label:
                old = self.driver.find_element(By.TAG_NAME, "html")
                element.click()
                if navigates:
                    WebDriverWait(self.driver, 15).until(_gone(old))
                return
        raise AssertionError(f"no button {label!r} on {self.path}: "
                             f"{[e.text for e in self.all('button, a.button')]}")

    def field_error(self, field: str) -> str:
        """The message tied to `field` by aria-describedby; empty when the field has none."""
        element = self.find(f"#{field}")
        ids = (element.get_attribute("aria-describedby") or "").split()
        return " ".join(self.find(f"#{i}").text for i in ids if i.endswith("-error"))

    def step(self, name: str, phone: bool = False) -> Path:
        """A screenshot of the page now, numbered in the journey's order, and its axe check."""
        self.steps += 1
        if phone:
            viewport(self.driver, *PHONE)
        shot = screenshot(self.driver, self.folder, f"{self.steps:02d}-{name}")
        violations = serious_violations(self.driver)
        if phone:
            viewport(self.driver, *DESKTOP)
        assert not violations, f"{self.path} ({name}):\n{describe(violations)}"
        return shot

    def sign_in_with_token(self, token: str) -> None:
        self.open("/signin")
        self.fill("token", token)
        self.press("Войти по ключу")

    def sign_in_as(self, subject: str, role: str = "citizen", region: str = "", inn: str = "",
                   contests: str = "") -> None:
        """Through the development identity provider, as the demo's visitors do."""
        self.open("/signin")
        self.press("Войти через тестовый вход (разработка)")
        self.fill("role", role)
        for field, value in (("subject", subject), ("region", region), ("inn", inn), ("contests", contests)):
            self.fill(field, value)
        self.press("Войти")

    def sign_out(self) -> None:
        self.press("Выйти")


def token_for(cli: Cli, actor: Actor) -> str:
    """A token the federal operator issued to `actor`, as a person would paste it."""
    return cli.acting_as(actor).env["KONKURS_TOKEN"]


def _gone(old: WebElement) -> Callable[[webdriver.Chrome], bool]:
    """Whether the page `old` belonged to has been replaced. While Chromium swaps documents, asking
    about an element of the old one may fail with another error than "stale" ("node does not
    belong to the document"): any such failure means it is gone."""
    def check(_: webdriver.Chrome) -> bool:
        try:
            old.is_enabled()
        except WebDriverException:
            return True
        return False

    return check


@pytest.fixture
def pages(cli: Cli, tmp_path: Path) -> Iterator[str]:
    """`konkurs api` over the test's home (and its Temporal, once the `temporal` fixture has run);
    yields the base URL."""
    server = ApiServer(dict(cli.env), tmp_path / "api.log")
    server.start()
    try:
        yield server.url
    finally:
        server.kill()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    with chromium() as driver:
        viewport(driver, *DESKTOP)
        yield driver


@pytest.fixture
def journey(browser: webdriver.Chrome, pages: str, request: pytest.FixtureRequest) -> Journey:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return Journey(browser, pages, folder)
