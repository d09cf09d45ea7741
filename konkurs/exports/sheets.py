"""What an export holds, before any file format: sheets with a Russian title, typed columns and
rows. The CSV and XLSX writers only render these; nothing here reads the store or a file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

Cell = str | int | float | date | datetime | None

MOSCOW = ZoneInfo("Europe/Moscow")


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    DATE = "date"
    DATETIME = "datetime"  # naive, in Moscow time: say so in the column's title («(МСК)»)


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = Kind.TEXT
    width: int = 14  # in characters, as a spreadsheet counts them


def text(title: str, width: int = 14) -> Column:
    return Column(title, Kind.TEXT, width)


def integer(title: str, width: int = 10) -> Column:
    return Column(title, Kind.INTEGER, width)


def decimal(title: str, width: int = 10) -> Column:
    return Column(title, Kind.DECIMAL, width)


def moment(title: str, width: int = 17) -> Column:
    return Column(title, Kind.DATETIME, width)


@dataclass(frozen=True)
class Sheet:
    """One list of rows: one CSV file (`name`), one or more sheets of the table's workbook."""

    name: str
    title: str
    columns: Sequence[Column]
    rows: list[tuple[Cell, ...]]
    split_by: int | None = None  # XLSX: one sheet per distinct value of this column (a nomination)

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"sheet {self.name}: a row of {len(row)} cells for "
                                 f"{len(self.columns)} columns")


@dataclass(frozen=True)
class Table:
    """One of the exported tables (`register`, `ranking`, …): a workbook of one or more sheets."""

    name: str
    sheets: list[Sheet] = field(default_factory=list)


TABLES = ("register", "experts", "scores", "ranking", "tally", "participation", "promotions")


def in_moscow(timestamp: str | datetime) -> datetime:
    """A logged moment as officials read it: the wall clock in Moscow, minutes, no zone."""
    when = datetime.fromisoformat(timestamp) if isinstance(timestamp, str) else timestamp
    return when.astimezone(MOSCOW).replace(tzinfo=None, second=0, microsecond=0)


def yes_no(flag: bool) -> str:
    return "да" if flag else "нет"
