"""From operators' files to intake forms: the column names each import expects.

Every import takes its columns by the names below or by the Russian headers of
`konkurs.column_aliases`; a column it does not know is refused unless named in `ignore`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from domain.aggregates import ExpertProfile, RegistryRow
from domain.aggregates.registry import padded_inn
from domain.commands.intake import BallotInput, ReviewForm, SubmissionForm
from domain.errors import InputFileError
from domain.regions import region_code_of
from domain.spec import ApplicantKind
from domain.spec.judging import Criterion
from konkurs import column_aliases
from konkurs.tables import ALIASES_DOC, Form, Labelled, Row, Table, decode, describe, read_rows, to_forms

SUBMISSION_COLUMNS = ("reference", "nomination", "title", "applicant_name", "applicant_kind", "region")
NOMINEE_COLUMNS = ("nominee_name", "nominee_position", "nominee_age")  # personal nominations' person
SUBMISSION_OPTIONAL = ("inn", "municipality", "summary", "age", "conditions", *NOMINEE_COLUMNS)
REGISTRY_COLUMNS = ("inn", "name", "region", "entered_on")
REGISTRY_OPTIONAL = ("removed_on",)
BALLOT_COLUMNS = ("voter", "nomination", "submission", "region")
EXPERT_COLUMNS = ("id", "name", "organisation", "region", "level", "directions")
EXPERT_OPTIONAL = ("inn", "municipality")
REVIEW_COLUMNS = ("submission", "expert")


def submission_forms(path: Path, ignore: Iterable[str] = ()) -> Labelled[SubmissionForm]:
    rows = read_rows(path, SUBMISSION_COLUMNS, SUBMISSION_OPTIONAL, aliases=column_aliases.SUBMISSIONS,
                     ignore=ignore)
    return to_forms(rows, _submission_fields, SubmissionForm)


def _submission_fields(row: Row) -> dict[str, Any]:
    return {
        "reference": row["reference"],
        "nomination": row["nomination"],
        "title": row["title"],
        "summary": row.get("summary", ""),
        # the admission conditions the applicant confirms: their codes, comma-separated
        "conditions": tuple(code.strip() for code in row.get("conditions", "").split(",") if code.strip()),
        "applicant": {
            "name": row["applicant_name"],
            "kind": _applicant_kind(row["applicant_kind"]),
            "region": _known_region(row["region"]),
            "inn": padded_inn(row.get("inn") or None),
            "municipality": row.get("municipality") or None,
            "age": row.get("age") or None,
        },
        "nominee": {"name": row.get("nominee_name", ""), "position": row.get("nominee_position", ""),
                    "age": row.get("nominee_age") or None}
        if any(row.get(column) for column in NOMINEE_COLUMNS) else None,
    }


def _applicant_kind(cell: str) -> str:
    kind = column_aliases.applicant_kind_of(cell)
    if kind is None:
        raise ValueError(f"unknown applicant kind {cell!r}; expected one of "
                         f"{', '.join(ApplicantKind)} or a Russian name from {ALIASES_DOC}")
    return kind


def _known_region(cell: str) -> str:
    code = region_code_of(cell)
    if code is None:
        raise ValueError(f"unknown region {cell!r}; give its two-digit code or its name, "
                         "e.g. 16 or Республика Татарстан")
    return code


def registry_rows(path: Path, ignore: Iterable[str] = ()) -> Labelled[RegistryRow]:
    """A registry's rows: inn;name;region;entered_on[;removed_on], dates ISO or dd.mm.yyyy.
    Other columns of a registry's export (address, OGRN…) are left aside; the result names them."""

    def fields(row: Row) -> dict[str, Any]:
        return {**row, "region": column_aliases.region_or_as_written(row["region"])}

    rows = read_rows(path, REGISTRY_COLUMNS, REGISTRY_OPTIONAL, aliases=column_aliases.REGISTRY,
                     ignore=ignore, set_aside_unknown=True)
    return to_forms(rows, fields, RegistryRow)


def review_forms(
    path: Path, criteria: list[Criterion], ignore: Iterable[str] = ()
) -> Labelled[ReviewForm]:
    columns = (*REVIEW_COLUMNS, *(c.code.lower() for c in criteria))

    def fields(row: Row) -> dict[str, Any]:
        return {
            "submission": row["submission"],
            "expert": row["expert"],
            "scores": {c.code: _number(row[c.code.lower()], c.code) for c in criteria},
        }

    rows = read_rows(path, columns, (), aliases=column_aliases.REVIEWS, ignore=ignore)
    return to_forms(rows, fields, ReviewForm)


def ballots(path: Path, ignore: Iterable[str] = ()) -> Table[BallotInput]:
    """Ballots labelled with their `file:line`, which a refusal names."""
    rows = read_rows(path, BALLOT_COLUMNS, (), aliases=column_aliases.BALLOTS, ignore=ignore)
    labelled = [(where, {**row, "region": column_aliases.region_or_as_written(row["region"]), "label": where})
                for where, row in rows]
    found: Table[BallotInput] = Table(ballot for _, ballot in to_forms(labelled, dict, BallotInput))
    found.set_aside = rows.set_aside
    return found


def expert_profiles(path: Path, ignore: Iterable[str] = ()) -> Labelled[ExpertProfile]:
    """The roster from CSV/JSONL (directions separated by commas) or a YAML list of experts."""
    if path.suffix.lower() in {".yaml", ".yml"}:
        data = _document(path)
        if not isinstance(data, list):
            raise InputFileError(f"{path}: a roster in YAML is a list of experts")
        return Table(_validated(f"{path}: expert {number}", item, ExpertProfile)
                     for number, item in enumerate(data, start=1))

    def fields(row: Row) -> dict[str, Any]:
        directions = [code for code in re.split(r"[,|\s]+", row["directions"]) if code]
        return {**row, "inn": row.get("inn") or None, "municipality": row.get("municipality") or None,
                "region": column_aliases.region_or_as_written(row["region"]), "directions": directions}

    rows = read_rows(path, EXPERT_COLUMNS, EXPERT_OPTIONAL, aliases=column_aliases.EXPERTS, ignore=ignore)
    return to_forms(rows, fields, ExpertProfile)


def single_submission(path: Path) -> list[tuple[str, SubmissionForm]]:
    """One submission from a JSON or YAML file, shaped like `SubmissionForm`; the applicant's kind
    and region may be written in Russian, as in a spreadsheet."""
    document = _document(path)
    applicant = document.get("applicant") if isinstance(document, dict) else None
    if isinstance(applicant, dict):
        if isinstance(applicant.get("kind"), str):
            applicant["kind"] = column_aliases.applicant_kind_of(applicant["kind"]) or applicant["kind"]
        if isinstance(applicant.get("region"), str | int):
            applicant["region"] = column_aliases.region_or_as_written(str(applicant["region"]))
    return [_validated(str(path), document, SubmissionForm)]


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
