"""`konkurs protocol SLUG --out DIR`: the working group's protocol of each nomination, to print."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say
from konkurs.cli.view_commands import views
from konkurs.documents.protocol import write_protocols


class ProtocolFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


def register(app: typer.Typer) -> None:
    app.command("protocol")(write_protocol)


def write_protocol(
    slug: Annotated[str, typer.Argument(help="The contest's slug.")],
    out: Annotated[Path, typer.Option(
        "--out", metavar="DIR", file_okay=False,
        help="Folder for protocol-<code>.html and .pdf (created if missing; an earlier protocol "
             "of the same nomination there is replaced).")],
    nominations: Annotated[list[str] | None, typer.Option(
        "--nomination", metavar="CODE",
        help="Only this nomination (repeat for more). Default: every nomination.")] = None,
    formats: Annotated[list[ProtocolFormat] | None, typer.Option(
        "--format", help="html or pdf (repeat for both). Default: both.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write the working group's protocol of each nomination, in Russian, ready to print and sign.

    Each protocol states the contest, the nomination and the day judging concluded, the panel (name, organisation, region, cards assigned and done), the conflicts of interest found when assigning and the recusals with their reasons, every submission's cards, mean and final score, its place and the tie-break step that settled a tie, the winners, and the chain head the conclusion and the published results were sealed at, with how to verify it (`konkurs audit verify`).

    The HTML is self-contained and prints on A4 (page numbers, table headers repeated on each page); the PDF is made from it by WeasyPrint, which needs Pango (see docs/protocol.md).

    Refuses, writing nothing, a nomination the contest does not have or a contest whose judging is not concluded yet.

    Example: `konkurs protocol smart-dialog-2023 --out protocols/ --nomination hc-doctor-appointment --format pdf`
    """  # noqa: E501 - typer keeps a paragraph's line breaks
    chosen = [str(f) for f in formats] if formats else [f.value for f in ProtocolFormat]
    written = write_protocols(runtime.services(), views(), slug, out, nominations or (), chosen)
    if as_json:
        emit_json({"slug": slug, "files": [str(path) for path in written]})
        return
    say("\n".join(str(path) for path in written))
    say(f"{len(written)} protocol files of {slug} written to {out}")
