"""What `make demo` hands on at its end, as a ministry would after a contest: the spreadsheets and
open data, the working group's protocols, and the public results site."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from konkurs.documents.protocol import PdfUnavailable, write_protocols
from konkurs.exports.files import write_exports
from konkurs.site.publisher import publish_site
from projections.views_db import ViewsDB
from services.konkurs import Konkurs


@dataclass(frozen=True)
class HandedOn:
    exports: list[Path]
    protocols: list[Path]
    site: Path | None
    missing: list[str]  # what could not be written, in one line each

    def as_json(self) -> dict[str, object]:
        return {"exports": [str(p) for p in self.exports], "protocols": [str(p) for p in self.protocols],
                "site": str(self.site / "index.html") if self.site else None, "missing": self.missing}


def hand_on(konkurs: Konkurs, views: ViewsDB, slug: str, folder: Path) -> HandedOn:
    """Write every output of `slug` under `folder`: exports/, protocols/ and site/."""
    missing: list[str] = []
    exports = write_exports(konkurs, views, slug, folder / "exports")
    try:
        protocols = write_protocols(konkurs, views, slug, folder / "protocols")
    except PdfUnavailable as error:
        protocols = sorted((folder / "protocols").glob("protocol-*.html"))
        missing.append(str(error))
    site = publish_site(konkurs, views, slug, folder / "site")
    return HandedOn(exports, protocols, site, missing)
