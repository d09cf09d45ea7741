"""The public site in a real browser, as a citizen opens it: Debian's headless Chromium at a
phone's width and a desktop's, screenshots kept as artifacts, axe-core's accessibility check,
and no page wider than a phone's screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.chromium import (
    DESKTOP,
    PHONE,
    chromium,
    describe,
    screenshot,
    serious_violations,
    served,
    viewport,
)
from tests.outputs.conftest import FinishedDemo

pytestmark = pytest.mark.slow  # a browser, five pages, two widths: about 20 s


@pytest.fixture(scope="module")
def site(finished_demo: FinishedDemo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser") / "site"
    done = finished_demo.konkurs("publish", finished_demo.slug, "--out", folder)
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.only_on("sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")
def test_every_page_reads_on_a_phone_and_a_desktop_with_no_serious_accessibility_violation(
    site: Path, artifacts: Path
) -> None:
    pages = sorted(page.name for page in site.glob("*.html"))
    assert "index.html" in pages and "vote.html" in pages
    problems = []
    with served(site) as base, chromium() as browser:
        for width_name, (width, height) in (("phone", PHONE), ("desktop", DESKTOP)):
            viewport(browser, width, height)
            for page in pages:
                browser.get(base + page)
                assert browser.find_element("tag name", "h1").text, page
                name = f"public-site-{page.removesuffix('.html')}-{width_name}"
                shot = screenshot(browser, artifacts, name)
                assert shot.stat().st_size > 10_000, shot
                wide, shown = browser.execute_script(
                    "return [document.documentElement.scrollWidth, window.innerWidth]")
                if wide > shown:
                    problems.append(f"{page} at {width}px: the page is {wide}px wide, wider than the screen")
                violations = serious_violations(browser)
                if violations:
                    problems.append(f"{page} at {width}px:\n{describe(violations)}")
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_serious_violation_where_there_is_one(tmp_path: Path) -> None:
    """The accessibility check can fail: an unlabelled image and text nearly the colour of its
    background are found."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="ru"><head><title>Проба</title></head><body><main><h1>Проба</h1>'
        '<img src="x.png"><p style="color:#ddd;background:#fff">Бледный текст</p></main></body></html>',
        encoding="utf-8")
    with served(tmp_path) as base, chromium() as browser:
        browser.get(base + "index.html")
        found = {violation["id"] for violation in serious_violations(browser)}
    assert {"image-alt", "color-contrast"} <= found
