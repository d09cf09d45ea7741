"""A table as an Excel workbook (openpyxl): a sheet per list, or per nomination where the list is
split by one; bold frozen header, autofilter, column widths, and typed cells with number formats
(real numbers, real dates: a moment is a naive datetime in Moscow time)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from konkurs.exports.sheets import Cell, Kind, Sheet, Table

FORMATS = {Kind.TEXT: "@", Kind.INTEGER: "0", Kind.DECIMAL: "0.00", Kind.DATE: "DD.MM.YYYY",
           Kind.DATETIME: "DD.MM.YYYY HH:MM"}
TITLE_MOST = 31  # Excel refuses longer sheet titles
NOT_IN_TITLES = re.compile(r"[\[\]:*?/\\]")


def write_xlsx(table: Table, path: Path) -> None:
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    used: set[str] = set()
    for sheet, title, rows in _parts(table):
        _fill(book.create_sheet(_unique(title, used)), sheet, rows)
    book.save(path)


def _parts(table: Table) -> Iterator[tuple[Sheet, str, list[tuple[Cell, ...]]]]:
    for sheet in table.sheets:
        if sheet.split_by is None or not sheet.rows:
            yield sheet, sheet.title, sheet.rows
            continue
        groups: dict[Cell, list[tuple[Cell, ...]]] = {}
        for row in sheet.rows:
            groups.setdefault(row[sheet.split_by], []).append(row)
        for value, rows in groups.items():
            yield sheet, str(value), rows


def _unique(title: str, used: set[str]) -> str:
    base = NOT_IN_TITLES.sub("-", title)[:TITLE_MOST]
    candidate, number = base, 2
    while candidate.lower() in used:
        suffix = f" ({number})"
        candidate, number = base[:TITLE_MOST - len(suffix)] + suffix, number + 1
    used.add(candidate.lower())
    return candidate


def _fill(worksheet: Worksheet, sheet: Sheet, rows: list[tuple[Cell, ...]]) -> None:
    worksheet.append([column.title for column in sheet.columns])
    for row in rows:
        worksheet.append(list(row))
    bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = column.width
        header = worksheet.cell(row=1, column=index)
        header.font, header.alignment = bold, wrapped
        number_format = FORMATS.get(column.kind)
        if number_format is not None:
            for (cell,) in worksheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    worksheet.freeze_panes = "A2"
    if rows:
        worksheet.auto_filter.ref = worksheet.dimensions
