"""Writing a contest's exports into a folder: every file is made in a temporary folder beside it
and moved in only once all are made, so a failure leaves nothing half-written."""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from domain.actors import SYSTEM, Actor
from domain.errors import InputFileError, KonkursError
from konkurs.exports.csv_files import write_csv
from konkurs.exports.gather import Sources, build, skipped
from konkurs.exports.sheets import TABLES
from projections.views_db import ViewsDB
from services.konkurs import Konkurs

FORMATS = ("csv", "xlsx", "pabulib")


@dataclass(frozen=True)
class Written:
    table: str
    format: str
    path: Path
    rows: int


@dataclass
class ExportPlan:
    """The tables and formats asked for, less what does not apply; `skipped` says why, per line."""

    tables: list[str]
    formats: list[str]
    skipped: dict[str, str] = field(default_factory=dict)


def plan_exports(konkurs: Konkurs, views: ViewsDB, slug: str, formats: Sequence[str] = (),
                 tables: Sequence[str] = ()) -> ExportPlan:
    """What an export of `slug` will write. A table or format named that does not exist, or a
    table named that does not apply to the contest, is refused before anything is written."""
    for name, given, known in (("--format", formats, FORMATS), ("--table", tables, TABLES)):
        unknown = [value for value in given if value not in known]
        if unknown:
            raise InputFileError(f"{name} {unknown[0]!r} is not one of: {', '.join(known)}")
    reasons = skipped(Sources(konkurs, views, slug, SYSTEM))
    refused = [name for name in tables if name in reasons]
    if refused:
        raise KonkursError(f"table {refused[0]} does not apply to {slug}: {reasons[refused[0]]}")
    wanted = list(dict.fromkeys(tables or TABLES))
    chosen = list(dict.fromkeys(formats or FORMATS))
    plan = ExportPlan([name for name in wanted if name not in reasons], chosen,
                      {name: reasons[name] for name in wanted if name in reasons})
    if "pabulib" in chosen and "tally" not in plan.tables:
        plan.skipped["pabulib"] = reasons.get("tally", "it is the vote's format: add --table tally")
    elif "pabulib" in chosen and _pabulib() is None:
        plan.skipped["pabulib"] = "the pabulib writer (konkurs.exports.pabulib) is not installed"
    return plan


def export(konkurs: Konkurs, views: ViewsDB, slug: str, folder: Path, plan: ExportPlan,
           actor: Actor = SYSTEM) -> list[Written]:
    """Write the plan's files into `folder` (created if missing); existing files of the same
    names are replaced. `views` must be caught up with the log."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=folder))
    except OSError as error:
        raise KonkursError(f"--out {folder}: cannot write there ({error.strerror or error})") from None
    try:
        made = _make(konkurs, views, slug, staging, plan, actor)
        for written in made:
            os.replace(written.path, folder / written.path.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [Written(w.table, w.format, folder / w.path.name, w.rows) for w in made]


def write_exports(konkurs: Konkurs, views: ViewsDB, slug: str, folder: Path,
                  formats: Sequence[str] = FORMATS) -> list[Path]:
    """Every table that applies to the contest, in `formats`: what `make demo` calls."""
    plan = plan_exports(konkurs, views, slug, formats)
    return [written.path for written in export(konkurs, views, slug, folder, plan)]


def _make(konkurs: Konkurs, views: ViewsDB, slug: str, staging: Path, plan: ExportPlan,
          actor: Actor) -> list[Written]:
    sources = Sources(konkurs, views, slug, actor)
    made = []
    for name in plan.tables:
        table = build(sources, name)
        if "csv" in plan.formats:
            for sheet in table.sheets:
                path = staging / f"{slug}-{sheet.name}.csv"
                write_csv(sheet, path)
                made.append(Written(name, "csv", path, len(sheet.rows)))
        if "xlsx" in plan.formats:
            # openpyxl takes a quarter of a second to load: every CLI command imports this module.
            from konkurs.exports.xlsx_files import write_xlsx

            path = staging / f"{slug}-{table.name}.xlsx"
            write_xlsx(table, path)
            made.append(Written(name, "xlsx", path, sum(len(s.rows) for s in table.sheets)))
    writer = _pabulib()
    if "pabulib" in plan.formats and "tally" in plan.tables and writer is not None:
        for file_name, text in writer(konkurs, slug).items():
            path = staging / file_name
            path.write_text(text, encoding="utf-8")
            made.append(Written("tally", "pabulib", path, text.count("\n")))
    return made


def _pabulib() -> Callable[[Konkurs, str], dict[str, str]] | None:
    """The pabulib writer, when its module is there (it is written apart from these tables)."""
    try:
        module = importlib.import_module("konkurs.exports.pabulib")
    except ModuleNotFoundError as missing:
        if missing.name != "konkurs.exports.pabulib":
            raise
        return None
    writer: Callable[[Konkurs, str], dict[str, str]] = module.pabulib_files
    return writer
