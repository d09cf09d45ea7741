"""`konkurs publish SLUG --out DIR`: the public results site, for the ministry's web server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say
from konkurs.cli.view_commands import views


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)


def publish(
    slug: Annotated[str, typer.Argument(help="The contest's slug; its results must be published.")],
    out: Annotated[Path, typer.Option(
        "--out", metavar="DIR",
        help="Folder for the site (created if missing). An earlier site written here is replaced "
             "whole; a folder holding anything else is refused.")],
    as_json: JsonFlag = False,
) -> None:
    """Write the public results site of a contest: static pages in Russian with everything inline.

    Pages: index.html (winners per nomination with place, practice, applicant, region and score; the spread of the experts' scores), vote.html (ballots by region on a tile map of the 89 regions, the vote over time with the tally's anomaly signals), demand.html (which practice each region's citizens want), participation.html (the league, when the contest has a participation drive) and verify.html (the chain head the results are sealed with, and how to check it with `konkurs audit verify`).

    No page loads anything from elsewhere: copy the folder to any web server as is. The site is written into a temporary folder first, so a failure leaves the previous site (or nothing) in place.

    Example: `konkurs publish smart-dialog-2023 --out site/` then `python -m http.server -d site`
    """  # noqa: E501 - typer keeps a paragraph's line breaks
    runtime.services().contests.require_reader(runtime.actor(), slug, "publish the results site")
    # The charts load matplotlib: only for this command, not for every other one.
    from konkurs.site.publisher import write_site

    published = write_site(runtime.services(), views(), slug, out)
    content = published.content
    if as_json:
        emit_json({"slug": slug, "folder": str(published.folder.resolve()), "pages": published.pages,
                   "sealed_position": content.results.sealed_position,
                   "sealed_head": content.results.sealed_head,
                   "chain_position": content.chain_position, "chain_head": content.chain_head})
        return
    say(f"Wrote {len(published.pages)} pages of {slug} to {published.folder}/: "
        f"{', '.join(published.pages)}")
    say(f"Results sealed at chain position {content.results.sealed_position}, "
        f"head {content.results.sealed_head}")
