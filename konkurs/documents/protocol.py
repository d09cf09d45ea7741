"""The working group's protocol of each nomination, as printable HTML and as PDF."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.errors import KonkursError
from konkurs.documents.protocol_data import Protocol, judged_nominations, protocol
from projections.queries import results
from projections.views_db import ViewsDB
from services.konkurs import Konkurs

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("html", "pdf")
PANGO_HINT = ("the PDF needs Pango, which WeasyPrint could not load: "
              "apt-get install libpango-1.0-0 libpangoft2-1.0-0")


class PdfUnavailable(KonkursError):
    """WeasyPrint's system libraries are missing: the HTML is written, the PDF is not."""


def render_html(made: Protocol) -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                              undefined=StrictUndefined, keep_trailing_newline=True)
    page = environment.get_template("protocol.html")
    return page.render(p=made, number=_number, winner_refs={w.reference for w in made.winners})


def render_pdf(html: str) -> bytes:
    try:
        from weasyprint import HTML  # loads Pango through its C bindings: an OSError without it
    except OSError:
        raise PdfUnavailable(PANGO_HINT) from None
    pdf: bytes = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    return pdf


def write_protocols(
    konkurs: Konkurs, views: ViewsDB, slug: str, folder: Path,
    nominations: Sequence[str] = (), formats: Sequence[str] = FORMATS,
) -> list[Path]:
    """Write protocol-<code>.html/.pdf for each nomination asked for (all when none) into `folder`
    and return their paths. Refuses a nomination not judged yet before writing anything; each file
    appears whole or not at all. Without Pango the HTML is still written, then PdfUnavailable."""
    shown = results(views, slug)
    documents = {n.code: render_html(protocol(konkurs, shown, n))
                 for n in judged_nominations(shown, list(nominations))}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if "html" in formats:
        for code, html in documents.items():
            written.append(_replace(folder / f"protocol-{code}.html", html.encode("utf-8")))
    if "pdf" in formats:
        pdfs = dict(zip(documents, _render_pdfs(list(documents.values())), strict=True))
        for code, pdf in pdfs.items():
            written.append(_replace(folder / f"protocol-{code}.pdf", pdf))
    return written


def _render_pdfs(documents: list[str]) -> list[bytes]:
    """Layout takes about a second a protocol and uses one core, so several are laid out in
    parallel, one process per core."""
    workers = min(len(documents), os.cpu_count() or 1)
    if workers < 2:
        return [render_pdf(html) for html in documents]
    render_pdf("<p></p>")  # a missing Pango is reported here, in this process, in one line
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(render_pdf, documents))


def _replace(path: Path, content: bytes) -> Path:
    """Write beside the target, then rename over it: a reader never sees half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _number(value: float | None) -> str:
    """A score as Russian print writes it: two decimals, a decimal comma."""
    return "—" if value is None else f"{value:.2f}".replace(".", ",")
