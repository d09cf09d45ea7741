"""Reading operators' spreadsheets: CSV as Excel saves it (UTF-8 with or without BOM, or Windows-1251;
`;`, `,` or tab; English or Russian headers), or JSON Lines.

Every row keeps a label `file:line` so an error names exactly where it is. A column the import does not
know is refused unless the operator names it to be left aside, so no data vanishes unnoticed.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from charset_normalizer import from_bytes
from pydantic import TypeAdapter, ValidationError

from domain.errors import InputFileError
from konkurs.column_aliases import Aliases, field_names, header_key

Row = dict[str, str]
Form = TypeVar("Form")
Item = TypeVar("Item")

ALIASES_DOC = "docs/operators.md, 'Russian column headers'"


class Table(list[Item], Generic[Item]):
    """What a file holds, and the file's columns that were left aside."""

    set_aside: tuple[str, ...] = ()


Labelled = Table[tuple[str, Item]]  # rows or forms, each labelled `file:line`


def read_rows(
    path: Path,
    required: Sequence[str],
    optional: Sequence[str] | None = None,
    *,
    aliases: Aliases | None = None,
    ignore: Iterable[str] = (),
    set_aside_unknown: bool = False,
) -> Labelled[Row]:
    """Rows of a CSV or JSONL file, each labelled with its file and line, keyed by the import's
    column names: `required`, then `optional` ones. A column neither known nor in `ignore` is refused,
    unless `set_aside_unknown`; without `optional`, every column is kept by its lower-cased header
    (a reader for tools, not for imports)."""
    columns = _Columns(path, tuple(required), optional, aliases or {}, ignore, set_aside_unknown)
    text = decode(path)
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return _jsonl_rows(path, text, columns)
    return _csv_rows(path, text, columns)


def decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"{path}: cannot read: {error.strerror}") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(path, raw, "utf-16")  # Excel's "Unicode text"
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if raw.startswith(b"PK\x03\x04"):
        raise InputFileError(f"{path}: this is an Excel workbook, not a CSV; save it as 'CSV UTF-8' or "
                             "'CSV (разделители — запятые)' and import that")
    # Why only cp1251: left to choose among every code page, the detector reads a short Russian file
    # (a header and a few rows) as cp932, mac-cyrillic or koi8-r about as readily as cp1251, and
    # each of those decodes the bytes into plausible nonsense. A spreadsheet that is not UTF-8 comes
    # from Excel on a Russian Windows, which writes cp1251; the detector still judges whether the
    # bytes read as text at all, so a binary or otherwise garbled file is refused.
    best = from_bytes(raw, cp_isolation=["cp1251"]).best()
    if best is None:
        raise InputFileError(f"{path}: cannot read the text: it is neither UTF-8 nor Windows-1251 "
                             "(cp1251); save it from Excel as 'CSV UTF-8' and import again")
    return str(best)


def _decoded(path: Path, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputFileError(f"{path}: cannot read the text as {encoding}: {error.reason}") from None


class _Columns:
    """The columns an import knows, their Russian headers, and those the operator leaves aside."""

    def __init__(self, path: Path, required: tuple[str, ...], optional: Sequence[str] | None,
                 aliases: Aliases, ignore: Iterable[str], set_aside_unknown: bool) -> None:
        self.path, self.required, self.open = path, required, optional is None
        self.known = (*required, *(optional or ()))
        self.names = field_names(aliases, self.known)
        self.ignore = {header_key(name) for name in ignore}
        self.set_aside_unknown = set_aside_unknown

    def fields(self, header: Sequence[str], label: str) -> tuple[list[str | None], tuple[str, ...]]:
        """Each header's field (None: left aside), and the headers left aside."""
        fields: list[str | None] = [
            name.strip().lower() if self.open else self.names.get(header_key(name)) for name in header]
        unknown = [name.strip() for name, field in zip(header, fields, strict=True)
                   if field is None and header_key(name) not in self.ignore]
        if unknown and not self.set_aside_unknown:
            listed = ", ".join(repr(name) for name in unknown)
            raise InputFileError(
                f"{label}: unknown column{'s' if len(unknown) > 1 else ''} {listed}; this import knows "
                f"{', '.join(self.known)} (Russian headers: {ALIASES_DOC}); to leave a column aside "
                "knowingly, name it with --ignore-column")
        repeated = sorted({f for f in fields if f is not None and fields.count(f) > 1})
        if repeated:
            raise InputFileError(f"{label}: more than one column gives {repeated[0]}")
        missing = [name for name in self.required if name not in fields]
        if missing:
            raise InputFileError(
                f"{label}: missing column {missing[0]!r}; expected {', '.join(self.required)}")
        aside = tuple(name.strip() for name, field in zip(header, fields, strict=True) if field is None)
        return fields, aside


def _csv_rows(path: Path, text: str, columns: _Columns) -> Labelled[Row]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: Labelled[Row] = Labelled()
    try:
        header = next(reader, None)
        if header is None:
            raise InputFileError(f"{path}: the file is empty")
        fields, rows.set_aside = columns.fields(header, f"{path}:1")
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            label = f"{path}:{reader.line_num}"
            if len(record) > len(header):
                raise InputFileError(f"{label}: {len(record)} cells but {len(header)} columns")
            rows.append((label, {field: cell.strip() for field, cell in zip(fields, record, strict=False)
                                 if field is not None}))
    except csv.Error as error:
        problem = str(error)
        if problem.startswith("field larger than field limit"):
            problem = f"a cell is longer than {csv.field_size_limit():,} characters"
        raise InputFileError(f"{path}:{reader.line_num}: {problem}") from None
    return rows


def _jsonl_rows(path: Path, text: str, columns: _Columns) -> Labelled[Row]:
    rows: Labelled[Row] = Labelled()
    aside: dict[str, None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputFileError(f"{label}: not JSON: {error.msg}") from None
        if not isinstance(record, dict):
            raise InputFileError(f"{label}: each line must be a JSON object")
        keys = [str(key) for key in record]
        fields, left = columns.fields(keys, label)
        aside.update(dict.fromkeys(left))
        values = zip(fields, record.values(), strict=True)
        rows.append((label, {field: "" if value is None else str(value) for field, value in values
                             if field is not None}))
    rows.set_aside = tuple(aside)
    return rows


def to_forms(
    rows: Sequence[tuple[str, Row]], build: Callable[[Row], dict[str, Any]], form: type[Form]
) -> Labelled[Form]:
    """Validate every row into a form; the first bad row stops the import with its location."""
    adapter = TypeAdapter(form)
    forms: Labelled[Form] = Labelled()
    forms.set_aside = getattr(rows, "set_aside", ())
    for label, row in rows:
        try:
            forms.append((label, adapter.validate_python(build(row))))
        except ValidationError as error:
            raise InputFileError(f"{label}: {describe(error)}") from None
        except ValueError as error:
            raise InputFileError(f"{label}: {error}") from None
    return forms


def describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    value = first.get("input")
    shown = f" (got {value!r})" if isinstance(value, str | int | float) else ""
    return f"{field}: {message}{shown}"
