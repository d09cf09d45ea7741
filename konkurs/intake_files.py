"""From operators' files to intake forms: the column names each import expects."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from domain.aggregates import ExpertProfile, RegistryRow
from domain.aggregates.registry import padded_inn
from domain.commands.intake import BallotInput, ReviewForm, SubmissionForm
from domain.errors import InputFileError
from domain.spec.judging import Criterion
from konkurs.tables import Form, Row, decode, describe, read_rows, to_forms

SUBMISSION_COLUMNS = ("reference", "nomination", "title", "applicant_name", "applicant_kind", "region")
SUBMISSION_OPTIONAL = ("inn", "municipality", "summary", "age")
REGISTRY_COLUMNS = ("inn", "name", "region", "entered_on")
BALLOT_COLUMNS = ("voter", "nomination", "submission", "region")
EXPERT_COLUMNS = ("id", "name", "organisation", "region", "level", "directions")
REVIEW_COLUMNS = ("submission", "expert")


def submission_forms(path: Path) -> list[tuple[str, SubmissionForm]]:
    return to_forms(read_rows(path, SUBMISSION_COLUMNS), _submission_fields, SubmissionForm)


def _submission_fields(row: Row) -> dict[str, Any]:
    return {
        "reference": row["reference"],
        "nomination": row["nomination"],
        "title": row["title"],
        "summary": row.get("summary", ""),
        "applicant": {
            "name": row["applicant_name"],
            "kind": row["applicant_kind"],
            "region": row["region"],
            "inn": padded_inn(row.get("inn") or None),
            "municipality": row.get("municipality") or None,
            "age": row.get("age") or None,
        },
    }


def registry_rows(path: Path) -> list[tuple[str, RegistryRow]]:
    """A registry's rows: inn;name;region;entered_on[;removed_on], dates ISO or dd.mm.yyyy.
    Other columns of a registry's export (address, OGRN…) are left aside."""

    def fields(row: Row) -> dict[str, Any]:
        return {name: row[name] for name in (*REGISTRY_COLUMNS, "removed_on") if name in row}

    return to_forms(read_rows(path, REGISTRY_COLUMNS), fields, RegistryRow)


def review_forms(path: Path, criteria: list[Criterion]) -> list[tuple[str, ReviewForm]]:
    columns = (*REVIEW_COLUMNS, *(c.code.lower() for c in criteria))

    def fields(row: Row) -> dict[str, Any]:
        return {
            "submission": row["submission"],
            "expert": row["expert"],
            "scores": {c.code: _number(row[c.code.lower()], c.code) for c in criteria},
        }

    return to_forms(read_rows(path, columns), fields, ReviewForm)


def ballots(path: Path) -> list[BallotInput]:
    """Ballots labelled with their `file:line`, which a refusal names."""
    labelled = [(where, {**row, "label": where}) for where, row in read_rows(path, BALLOT_COLUMNS)]
    return [ballot for _, ballot in to_forms(labelled, dict, BallotInput)]


def expert_profiles(path: Path) -> list[tuple[str, ExpertProfile]]:
    """The roster from CSV/JSONL (directions separated by commas) or a YAML list of experts."""
    if path.suffix.lower() in {".yaml", ".yml"}:
        data = _document(path)
        if not isinstance(data, list):
            raise InputFileError(f"{path}: a roster in YAML is a list of experts")
        return [_validated(f"{path}: expert {i + 1}", item, ExpertProfile) for i, item in enumerate(data)]

    def fields(row: Row) -> dict[str, Any]:
        directions = [code for code in re.split(r"[,|\s]+", row["directions"]) if code]
        return {**row, "inn": row.get("inn") or None, "municipality": row.get("municipality") or None,
                "directions": directions}

    return to_forms(read_rows(path, EXPERT_COLUMNS), fields, ExpertProfile)


def single_submission(path: Path) -> list[tuple[str, SubmissionForm]]:
    """One submission from a JSON or YAML file, shaped like `SubmissionForm`."""
    return [_validated(str(path), _document(path), SubmissionForm)]


def single_card(path: Path) -> list[tuple[str, ReviewForm]]:
    """One scorecard from a JSON or YAML file: submission, expert and scores by criterion."""
    return [_validated(str(path), _document(path), ReviewForm)]


def _document(path: Path) -> Any:
    text = decode(path)
    try:
        return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise InputFileError(f"{path}: cannot parse: {' '.join(str(error).split())}") from None


def _validated(where: str, data: Any, form: type[Form]) -> tuple[str, Form]:
    try:
        return where, TypeAdapter(form).validate_python(data)
    except ValidationError as error:
        raise InputFileError(f"{where}: {describe(error)}") from None


def _number(cell: str, criterion: str) -> float:
    try:
        return float(cell.replace(",", "."))
    except ValueError:
        raise ValueError(f"score for {criterion} is not a number: {cell!r}") from None
