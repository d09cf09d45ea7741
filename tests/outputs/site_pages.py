"""Reading the published site back as a reader's tools would: tables by caption, inline SVGs,
every address a page points to."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption: list[str] | None = None
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._rows, self._name = [], ""
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self._caption is not None:
            self._name, self._caption = " ".join("".join(self._caption).split()), None
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._name] = self._rows
            self._rows = None

    def handle_data(self, data: str) -> None:
        for part in (self._caption, self._cell):
            if part is not None:
                part.append(data)


def tables(page: Path) -> dict[str, list[list[str]]]:
    """caption → rows (the header row first), each row its cells' text."""
    parser = _Tables()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tables


def svgs(page: Path) -> list[ET.Element]:
    """Every inline <svg> of the page, parsed as XML: a malformed one raises."""
    text = page.read_text(encoding="utf-8")
    return [ET.fromstring(match) for match in re.findall(r"<svg\b.*?</svg>", text, flags=re.S)]


def addresses(page: Path) -> list[str]:
    """Every src, href and CSS url() the page or stylesheet points to."""
    text = page.read_text(encoding="utf-8")
    found = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]*)""", text)
    return [attribute or url for attribute, url in found]
