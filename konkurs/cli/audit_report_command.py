"""`konkurs audit report SLUG`: one contest's audit, written as JSON and as an HTML page."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from konkurs.audit_report import assemble_report, report_json, save_report
from konkurs.cli import runtime
from konkurs.cli.output import console, fail, say
from projections.views_db import ViewsDB


def register(audit_app: typer.Typer) -> None:
    audit_app.command("report")(report)


def report(
    slug: Annotated[str, typer.Argument(help="The contest's slug.")],
    out: Annotated[Path, typer.Option(
        "--out", metavar="DIR", file_okay=False,
        help="Folder for SLUG-audit.json and SLUG-audit.html (created if missing; files of an "
             "earlier report there are replaced). Default: the current folder.")] = Path("."),
    as_json: Annotated[bool, typer.Option(
        "--json", help="Also print the report to stdout: the same JSON document as the file, "
                       "and nothing else.")] = False,
) -> None:
    """Write a self-contained audit report of one contest, for an auditor or the public record.

    It holds the chain head (compare it with the one published), the chain verification, every decision recomputed from the log with any difference, the results, tally and board views compared with a replay of the log, the seals the results recorded, every operator command with its time and reason (extensions, early closes, cancellations, recusals), and the rejections counted by reason.

    The HTML page needs nothing else to open: send it, print it, archive it with the JSON.

    Exits 0 when the chain is intact and every recomputation matches the record; 1, with one line saying what, when the report was written but found a break or a difference.

    Example: `konkurs audit report umnyj-dialog-2023 --out reports/`
    """  # noqa: E501 - typer keeps a paragraph's line breaks
    konkurs = runtime.services()
    waiting = (console.status(f"checking the chain and recomputing {slug}…")
               if console.is_terminal and not as_json else nullcontext())
    with waiting:
        made = assemble_report(konkurs, slug, ViewsDB(runtime.settings().views_path))
    json_path, html_path = save_report(made, out)
    if as_json:
        sys.stdout.write(report_json(made))
        sys.stdout.flush()
    else:
        say(f"{json_path}\n{html_path}\n{made.verdict}: chain head at position "
            f"{made.chain_head.position} {made.chain_head.link}")
    problem = made.problem()
    if problem is not None:
        fail(f"{problem}; see {html_path}")
        raise typer.Exit(1)
