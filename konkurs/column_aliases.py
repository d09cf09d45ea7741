"""The Russian column headers and values operators' spreadsheets carry, and the importer's names for them.

`docs/operators.md` lists these tables as `markdown()` renders them; a unit test keeps the two equal.
A header matches whatever its case, «ё» or spacing, with or without a trailing `*` or `:`.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from domain.regions import region_code_of
from domain.spec import ApplicantKind

Aliases = Mapping[str, tuple[str, ...]]

_REGION = ("Регион", "Субъект РФ", "Субъект Российской Федерации")
_NOMINATION = ("Номинация",)
_SUBMISSION = ("Заявка", "Номер заявки", "Регистрационный номер")

SUBMISSIONS: Aliases = {
    "reference": ("Регистрационный номер", "Номер заявки"),
    "nomination": _NOMINATION,
    "title": ("Название практики", "Наименование практики", "Название"),
    "applicant_name": ("Наименование организации", "Заявитель", "Наименование заявителя", "ФИО"),
    "applicant_kind": ("Тип организации", "Вид заявителя", "Тип заявителя"),
    "region": _REGION,
    "inn": ("ИНН",),
    "municipality": ("ОКТМО", "Муниципальное образование"),
    "summary": ("Краткое описание", "Описание", "Аннотация"),
    "age": ("Возраст",),
    "conditions": ("Условия допуска", "Подтверждённые условия"),
    "nominee_name": ("ФИО номинанта", "Номинант"),
    "nominee_position": ("Должность номинанта", "Должность"),
    "nominee_age": ("Возраст номинанта",),
}
REGISTRY: Aliases = {
    "inn": ("ИНН",),
    "name": ("Наименование", "Наименование организации"),
    "region": _REGION,
    "entered_on": ("Дата включения", "Дата включения в реестр"),
    "removed_on": ("Дата исключения", "Дата исключения из реестра"),
}
BALLOTS: Aliases = {
    "voter": ("Голосующий", "Идентификатор голосующего"),
    "nomination": _NOMINATION,
    "submission": _SUBMISSION,
    "region": _REGION,
}
EXPERTS: Aliases = {
    "id": ("Идентификатор", "Код эксперта"),
    "name": ("ФИО", "Эксперт"),
    "organisation": ("Организация", "Место работы"),
    "inn": ("ИНН",),
    "region": _REGION,
    "municipality": ("ОКТМО",),
    "level": ("Уровень",),
    "directions": ("Направления", "Номинации"),
}
REVIEWS: Aliases = {
    "submission": _SUBMISSION,
    "expert": ("Эксперт", "Код эксперта"),
}
MUNICIPALITIES: Aliases = {
    "oktmo": ("ОКТМО", "Код ОКТМО"),
    "name": ("Наименование", "Муниципальное образование"),
    "region": _REGION,
}
ADDRESSES: Aliases = {
    "kind": ("Вид", "Тип адресата"),
    "key": ("Ключ", "Код"),
    "email": ("E-mail", "Почта", "Электронная почта", "Адрес электронной почты"),
    "name": ("Имя", "Адресат", "Наименование"),
}
TABLES: dict[str, Aliases] = {
    "submissions": SUBMISSIONS, "registry": REGISTRY, "ballots": BALLOTS, "experts": EXPERTS,
    "reviews": REVIEWS, "municipalities": MUNICIPALITIES, "addresses": ADDRESSES,
}
COMMANDS = {"addresses": "konkurs mailer addresses import"}

APPLICANT_KINDS: Mapping[ApplicantKind, tuple[str, ...]] = {
    ApplicantKind.STATE_INSTITUTION: ("государственное учреждение", "государственная организация"),
    ApplicantKind.MUNICIPAL_INSTITUTION: ("муниципальное учреждение", "муниципальная организация"),
    ApplicantKind.NGO: ("НКО", "некоммерческая организация", "СО НКО",
                        "социально ориентированная некоммерческая организация"),
    ApplicantKind.BUSINESS: ("коммерческая организация", "бизнес", "индивидуальный предприниматель"),
    ApplicantKind.REGIONAL_AUTHORITY: ("орган исполнительной власти субъекта",
                                       "орган исполнительной власти субъекта РФ"),
    ApplicantKind.MUNICIPALITY: ("муниципальное образование", "орган местного самоуправления"),
    ApplicantKind.PERSON: ("физическое лицо", "гражданин"),
}


def header_key(text: str) -> str:
    """A header or value as matched: lower case, «ё» as «е», single spaces, no trailing `*` or `:`."""
    return " ".join(text.lower().replace("ё", "е").split()).rstrip("*: ").strip()


def field_names(aliases: Aliases, known: tuple[str, ...]) -> dict[str, str]:
    """Every header that names a known field, its own name first, keyed by `header_key`."""
    names = {header_key(name): name for name in known}
    for field, spellings in aliases.items():
        if field in known:
            names.update({header_key(spelling): field for spelling in spellings})
    return names


@cache
def _kinds() -> dict[str, str]:
    found = {header_key(kind.value): kind.value for kind in ApplicantKind}
    for kind, spellings in APPLICANT_KINDS.items():
        found.update({header_key(spelling): kind.value for spelling in spellings})
    return found


def applicant_kind_of(text: str) -> str | None:
    """The applicant kind a cell names, in English as the spec writes it or in Russian."""
    return _kinds().get(header_key(text))


@cache
def region_or_as_written(cell: str) -> str:
    """A region's code for its code or name as operators write it; any other text as it is, for the
    form to refuse."""
    return region_code_of(cell) or cell


def markdown() -> str:
    """The tables as `docs/operators.md` shows them."""
    lines = []
    for name, aliases in TABLES.items():
        command = COMMANDS.get(name, f"konkurs import {name}")
        lines += [f"`{command}`:", "", "| column | Russian headers |", "|---|---|"]
        lines += [f"| `{field}` | {', '.join(f'«{s}»' for s in spellings)} |"
                  for field, spellings in aliases.items()]
        lines.append("")
    lines += ["Applicant kinds (`applicant_kind`):", "", "| kind | Russian values |", "|---|---|"]
    lines += [f"| `{kind.value}` | {', '.join(f'«{s}»' for s in spellings)} |"
              for kind, spellings in APPLICANT_KINDS.items()]
    return "\n".join(lines) + "\n"
