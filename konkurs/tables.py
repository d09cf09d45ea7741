"""Reading operators' spreadsheets: CSV saved from Excel (UTF-8 with BOM, `;`), or JSON Lines.

Every row keeps a label `file:line` so an error names exactly where it is.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from domain.errors import InputFileError

Row = dict[str, str]
Form = TypeVar("Form")


def read_rows(path: Path, required: Sequence[str]) -> list[tuple[str, Row]]:
    """Rows of a CSV or JSONL file, each labelled with its file and line."""
    text = decode(path)
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return _jsonl_rows(path, text, required)
    return _csv_rows(path, text, required)


def decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputFileError(f"{path}: cannot read: {error.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise InputFileError(
            f"{path}:{line}: not UTF-8 (byte 0x{raw[error.start]:02x}); "
            "save it from Excel as 'CSV UTF-8' and import again"
        ) from None


def _csv_rows(path: Path, text: str, required: Sequence[str]) -> list[tuple[str, Row]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise InputFileError(f"{path}: the file is empty") from None
    _check_columns(path, header, required)
    rows = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        label = f"{path}:{reader.line_num}"
        if len(record) > len(header):
            raise InputFileError(f"{label}: {len(record)} cells but {len(header)} columns")
        rows.append((label, {name: cell.strip() for name, cell in zip(header, record, strict=False)}))
    return rows


def _jsonl_rows(path: Path, text: str, required: Sequence[str]) -> list[tuple[str, Row]]:
    rows = []
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
        _check_columns(path, list(record), required, label)
        rows.append((label, {str(k): "" if v is None else str(v) for k, v in record.items()}))
    return rows


def _check_columns(
    path: Path, present: Sequence[str], required: Sequence[str], label: str | None = None
) -> None:
    missing = [name for name in required if name not in present]
    if missing:
        raise InputFileError(
            f"{label or path}: missing column {missing[0]!r}; expected {', '.join(required)}"
        )


def to_forms(
    rows: list[tuple[str, Row]], build: Callable[[Row], dict[str, Any]], form: type[Form]
) -> list[tuple[str, Form]]:
    """Validate every row into a form; the first bad row stops the import with its location."""
    adapter = TypeAdapter(form)
    forms = []
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
