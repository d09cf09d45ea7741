"""A sheet as Russian Excel opens a double-clicked CSV: UTF-8 with a BOM (without it Excel reads
cp1251), `;` between fields, CRLF line ends.

Numbers are written as Russian Excel parses them, so they stay numbers there: decimals with a
comma (`80,4197`), integers bare, no thousands separator; dates `ДД.ММ.ГГГГ` and moments
`ДД.ММ.ГГГГ ЧЧ:ММ` (Moscow time, as the column's title says). A program reads them back with
`float(cell.replace(",", "."))` and `datetime.strptime(cell, "%d.%m.%Y %H:%M")`."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from konkurs.exports.sheets import Cell, Sheet

DAY = "%d.%m.%Y"
MINUTE = "%d.%m.%Y %H:%M"


def csv_text(sheet: Sheet) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([column.title for column in sheet.columns])
    writer.writerows([_cell(value) for value in row] for row in sheet.rows)
    return buffer.getvalue()


def write_csv(sheet: Sheet, path: Path) -> None:
    path.write_bytes(csv_text(sheet).encode("utf-8-sig"))


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):  # bool is an int: say it in words, never 1 or 0
        return "да" if value else "нет"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime(MINUTE)
    if isinstance(value, date):
        return value.strftime(DAY)
    return str(value)
