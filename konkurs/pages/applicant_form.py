"""The application form: its fields as the page posts them, read into the services' own
`SubmissionForm`; what the model or a service refuses becomes a Russian message on the field it
concerns. Nothing here decides a rule: the choices offered are the spec's, the checks the services'."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from domain.commands.intake import SubmissionForm
from domain.errors import InvalidCommand, KonkursError, MaterialRefused, MaterialTooLarge, UnknownNomination
from domain.regions import REGIONS
from domain.rules.eligibility import admitted_regions
from domain.rules.lengths import TextTooLong
from domain.rules.russian_reasons import APPLICANT_KINDS
from domain.spec import ContestSpec, NominationKind
from domain.spec.materials import MIB, Materials

TEXT_FIELDS = ("reference", "nomination", "title", "summary", "applicant_name", "applicant_kind", "region",
               "inn", "municipality", "applicant_age", "nominee_name", "nominee_position", "nominee_age")

# Where each part of `SubmissionForm` sits on the page.
FIELD_OF_LOCATION = {
    ("applicant", "name"): "applicant_name", ("applicant", "kind"): "applicant_kind",
    ("applicant", "region"): "region", ("applicant", "inn"): "inn",
    ("applicant", "municipality"): "municipality", ("applicant", "age"): "applicant_age",
    ("nominee", "name"): "nominee_name", ("nominee", "position"): "nominee_position",
    ("nominee", "age"): "nominee_age",
}
LENGTH_COLUMNS = {"title": "title", "summary": "summary", "applicant_name": "applicant_name",
                  "nominee_name": "nominee_name"}
LABELS = {"reference": "Номер заявки", "nomination": "Номинация", "title": "Название практики",
          "summary": "Краткое описание", "applicant_name": "Наименование организации",
          "applicant_kind": "Вид заявителя", "region": "Регион", "inn": "ИНН", "municipality": "Код ОКТМО",
          "applicant_age": "Возраст", "nominee_name": "ФИО номинанта",
          "nominee_position": "Должность номинанта", "nominee_age": "Возраст номинанта"}
TOO_LONG = re.compile(r": (?P<field>\w+) is (?P<length>\d+) characters, the contest allows (?P<most>\d+)")
MEDIA_NAMES = {
    "application/pdf": "PDF", "application/msword": "DOC",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.ms-excel": "XLS",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX",
    "image/jpeg": "JPEG", "image/png": "PNG", "text/plain": "TXT",
}


def new_reference() -> str:
    """A reference for an applicant who gives none: offered on the empty form, so a form sent
    twice names the same submission, and kept by every revision of its draft."""
    return f"WEB-{secrets.token_hex(4).upper()}"


@dataclass
class Posted:
    """The form as posted: every field a string, as typed."""

    values: dict[str, str]
    conditions: list[str] = field(default_factory=list)

    @classmethod
    def from_form(cls, form: Any) -> Posted:
        values = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
        return cls(values, [str(code) for code in form.getlist("conditions")])

    @classmethod
    def from_submission(cls, form: SubmissionForm) -> Posted:
        applicant, nominee = form.applicant, form.nominee
        values = {
            "reference": form.reference, "nomination": form.nomination, "title": form.title,
            "summary": form.summary, "applicant_name": applicant.name, "applicant_kind": applicant.kind.value,
            "region": applicant.region, "inn": applicant.inn or "",
            "municipality": applicant.municipality or "",
            "applicant_age": _text(applicant.age), "nominee_name": nominee.name if nominee else "",
            "nominee_position": nominee.position if nominee else "",
            "nominee_age": _text(nominee.age if nominee else None),
        }
        return cls(values, list(form.conditions))


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


def read_form(posted: Posted, spec: ContestSpec) -> tuple[SubmissionForm | None, dict[str, str]]:
    """The posted form as the services take it, or the Russian message for each field that is wrong."""
    given = posted.values
    if not given["reference"]:
        given["reference"] = new_reference()
    errors: dict[str, str] = {}
    kinds = {kind.value for kind in spec.eligibility.applicant_kinds}
    if given["applicant_kind"] and given["applicant_kind"] not in kinds:
        errors["applicant_kind"] = ("Конкурс не допускает заявителей такого вида; допускаются: "
                                    + ", ".join(APPLICANT_KINDS.get(k, k) for k in sorted(kinds)) + ".")
    regions = admitted_regions(spec)
    if regions is not None and given["region"] and given["region"] not in regions:
        errors["region"] = "Конкурс принимает заявки только из регионов: " + ", ".join(regions) + "."
    nominee = {name: given[f"nominee_{name}"] for name in ("name", "position", "age")}
    data = {
        "reference": given["reference"], "nomination": given["nomination"], "title": given["title"],
        "summary": given["summary"], "conditions": tuple(posted.conditions),
        "applicant": {"name": given["applicant_name"], "kind": given["applicant_kind"],
                      "region": given["region"],
                      "inn": given["inn"] or None, "municipality": given["municipality"] or None,
                      "age": given["applicant_age"] or None},
        "nominee": {k: v or None for k, v in nominee.items()} if any(nominee.values()) else None,
    }
    try:
        form = SubmissionForm.model_validate(data)
    except ValidationError as invalid:
        for problem in invalid.errors():
            place = _field_of(problem["loc"])
            errors.setdefault(place, _russian(problem, LABELS.get(place, "")))
        return None, errors
    return (None, errors) if errors else (form, {})


def _field_of(location: tuple[Any, ...]) -> str:
    if len(location) >= 2 and (location[0], location[1]) in FIELD_OF_LOCATION:
        return FIELD_OF_LOCATION[location[0], location[1]]
    return str(location[0]) if location and location[0] in TEXT_FIELDS else "form"


def _russian(problem: Any, label: str) -> str:
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind in ("missing", "string_too_short") or (kind == "string_type" and problem.get("input") is None):
        return f"Заполните поле «{label}»." if label else "Заполните все обязательные поля."
    if kind == "string_too_long":
        return f"Не длиннее {context.get('max_length')} знаков."
    if problem["loc"][-1] == "inn":
        return "ИНН — 10 цифр для организации или 12 для физического лица."
    if problem["loc"][-1] == "region":
        return "Выберите регион из списка (код из двух цифр)."
    if kind == "enum":
        return "Выберите значение из списка."
    if kind == "int_parsing":
        return "Укажите число полных лет цифрами."
    if kind == "greater_than_equal":
        return f"Не меньше {context.get('ge')}."
    if kind == "less_than_equal":
        return f"Не больше {context.get('le')}."
    return f"Проверьте значение: {problem.get('msg', '')}."


def field_of_refusal(error: KonkursError) -> tuple[str, str] | None:
    """The field a service's refusal of the form is about, with its Russian message, or None for
    a refusal of the whole form (shown as its one sentence)."""
    text = str(error)
    if isinstance(error, UnknownNomination):
        return "nomination", "Выберите номинацию из списка конкурса."
    if isinstance(error, TextTooLong) and (found := TOO_LONG.search(text)):
        return LENGTH_COLUMNS.get(found["field"], "form"), (
            f"Не длиннее {found['most']} знаков (сейчас {found['length']}).")
    if isinstance(error, InvalidCommand) and "takes no nominee" in text:
        return "nominee_name", "Эта номинация не о человеке: оставьте поля номинанта пустыми."
    if isinstance(error, InvalidCommand) and "name the nominee" in text:
        return "nominee_name", "Номинация о человеке: укажите номинанта — ФИО и должность."
    if "municipality" in text:
        return "municipality", f"Муниципальное образование не найдено в реестре региона ({text})."
    if "unknown region code" in text:
        return "region", "Выберите регион из списка."
    return None


def material_refusal(error: KonkursError, limits: Materials) -> str | None:
    """A refused file's Russian message for the file field, or None for a refusal of the page."""
    if isinstance(error, MaterialTooLarge):
        return f"Файл больше допустимого: не более {megabytes(limits.max_bytes)}."
    if isinstance(error, MaterialRefused) and "already has" in str(error):
        return f"Приложено наибольшее число файлов, которое принимает конкурс: {limits.max_files}."
    if isinstance(error, MaterialRefused):
        return f"Этот тип файла конкурс не принимает; допустимы: {', '.join(media_names(limits))}."
    return None


def megabytes(size: int) -> str:
    if size >= MIB:
        return f"{size / MIB:.0f} МБ" if size % MIB == 0 else f"{size / MIB:.1f} МБ".replace(".", ",")
    return f"{max(1, size // 1024)} КБ"


def media_names(limits: Materials) -> list[str]:
    return [MEDIA_NAMES.get(media, media) for media in limits.media_types]


def choices(spec: ContestSpec) -> dict[str, Any]:
    """What the form offers: the spec's nominations by direction, admitted kinds and regions,
    its conditions and the nominations that name a person."""
    regions = admitted_regions(spec)
    return {
        "directions": [(d.title, [(n.code, f"{n.code} — {n.title}") for n in d.nominations])
                       for d in spec.directions],
        "kinds": [(k.value, APPLICANT_KINDS.get(k.value, k.value)) for k in spec.eligibility.applicant_kinds],
        "regions": [(r.code, f"{r.code} — {r.name}") for r in REGIONS
                    if regions is None or r.code in regions],
        "conditions": spec.eligibility.conditions,
        "person_nominations": [n for n in spec.nominations if n.kind == NominationKind.PERSON],
        "limits": spec.limits,
    }
