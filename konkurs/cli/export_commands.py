"""`konkurs export SLUG --out DIR`: a contest's spreadsheets (CSV, XLSX) and its vote as pabulib."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, errors, say, table
from konkurs.cli.view_commands import views
from konkurs.exports.files import FORMATS, export, plan_exports
from konkurs.exports.sheets import TABLES


def register(app: typer.Typer) -> None:
    app.command("export")(export_contest)


def export_contest(
    slug: Annotated[str, typer.Argument(help="The contest's slug.")],
    out: Annotated[Path, typer.Option(
        "--out", metavar="DIR", file_okay=False,
        help="Folder for the files (created if missing; files of an earlier export there are "
             "replaced). Each is named SLUG-TABLE.csv / .xlsx.")],
    formats: Annotated[list[str] | None, typer.Option(
        "--format", metavar="FORMAT",
        help=f"One of {', '.join(FORMATS)}; repeat for several. Default: all of them.")] = None,
    tables: Annotated[list[str] | None, typer.Option(
        "--table", metavar="TABLE",
        help=f"One of {', '.join(TABLES)}; repeat for several. Default: every one that applies "
             "to the contest.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Write a contest's tables as spreadsheets for officials, with Russian headers: numbers are
    numbers and dates are dates.

    Tables: register (submissions with screening outcomes), experts (each expert's sheet and the assignments), scores (each review, raw and normalised), ranking (per nomination, with the tie-break step that settled each tie), tally (the vote by region and replication demand), participation (the league by region and municipality), promotions (from regional stages, with provenance). A table that does not apply (no vote, no drive, no stages) is skipped with one line saying why.

    CSV opens in Russian Excel by double-click: UTF-8 with BOM, `;`, decimals with a comma. XLSX has a frozen bold header, filters, number and date formats, and one sheet per nomination for scores and ranking. pabulib: the vote of each nomination, for recounting with public tools. Every column: docs/exports.md.

    Every file is made first in a temporary folder, so a failure writes nothing.

    Example: `konkurs export smart-dialog-2023 --out exports/ --format xlsx --table ranking`
    """  # noqa: E501 - typer keeps a paragraph's line breaks
    konkurs = runtime.services()
    actor = runtime.actor()
    konkurs.contests.require_reader(actor, slug, "export the contest's tables")
    database = views()
    plan = plan_exports(konkurs, database, slug, formats or (), tables or ())
    written = export(konkurs, database, slug, out, plan, actor)
    if as_json:
        emit_json([{"table": w.table, "format": w.format, "path": str(w.path), "rows": w.rows}
                   for w in written])
        for name, reason in plan.skipped.items():  # stdout stays one JSON document
            errors.print(f"Skipped {name}: {escape(reason)}", soft_wrap=True)
        return
    say(table(f"Exported {slug} to {out}", ["table", "format", "rows", "file"],
              [(w.table, w.format, w.rows, str(w.path)) for w in written], widest=90))
    for name, reason in plan.skipped.items():
        say(f"Skipped {name}: {reason}")
