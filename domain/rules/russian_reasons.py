"""Screening's reasons as letters and registers state them in Russian.

The log keeps each reason as the rule worded it (`domain/rules/eligibility.py`,
`material_gate.py`): recorded text is never rewritten. What applicants and officials read is this
rendering of it; a reason no pattern knows (an operator's own words) is shown as recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from domain.regions import region_name

APPLICANT_KINDS = {
    "state_institution": "государственное учреждение",
    "municipal_institution": "муниципальное учреждение",
    "ngo": "некоммерческая организация",
    "business": "коммерческая организация",
    "regional_authority": "орган исполнительной власти субъекта",
    "municipality": "муниципальное образование",
    "person": "физическое лицо",
}


def _kind(match: re.Match[str]) -> str:
    kind = APPLICANT_KINDS.get(match["kind"], match["kind"])
    return f"заявители вида «{kind}» к конкурсу не допускаются"


def _region(match: re.Match[str]) -> str:
    return f"регион заявителя ({region_name(match['code']) or match['code']}) не участвует в конкурсе"


def _condition(match: re.Match[str]) -> str:
    return f"не подтверждено условие допуска «{match['title']}»"


def _registry_day(match: re.Match[str]) -> str:
    day = ".".join(reversed(match["day"].split("-")))
    return f"заявитель не состоял в реестре на {day}"


PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"applicant kind (?P<kind>\w+) not admitted"), _kind),
    (re.compile(r"region (?P<code>\d+) outside the contest"), _region),
    (re.compile(r"admission condition \S+ not confirmed: (?P<title>.+)"), _condition),
    (re.compile(r"not in registry on (?P<day>\d{4}-\d{2}-\d{2})"), _registry_day),
    (re.compile(r"no INN to look up in registry (?P<name>.+)"),
     lambda m: f"не указан ИНН для проверки по реестру «{m['name']}»"),
    (re.compile(r"unknown nomination (?P<code>.+)"), lambda m: f"в конкурсе нет номинации {m['code']}"),
    (re.compile(r"no age given for nomination (?P<code>\S+), which admits ages (?P<span>.+)"),
     lambda m: f"не указан возраст, а номинация {m['code']} ограничивает возраст участников"),
    (re.compile(r"age (?P<age>\d+) below the minimum (?P<low>\d+) of nomination (?P<code>.+)"),
     lambda m: f"возраст {m['age']} меньше наименьшего допустимого ({m['low']}) в номинации {m['code']}"),
    (re.compile(r"age (?P<age>\d+) above the maximum (?P<high>\d+) of nomination (?P<code>.+)"),
     lambda m: f"возраст {m['age']} больше наибольшего допустимого ({m['high']}) в номинации {m['code']}"),
    (re.compile(r"recorded after collection closed.*"), lambda m: "заявка поступила после окончания приёма"),
    (re.compile(r"(?P<attached>\d+) of the (?P<required>\d+) required materials attached.*"),
     lambda m: f"к сроку представления материалов приложено {m['attached']} из {m['required']} "
               "обязательных материалов"),
]


def in_russian(reason: str) -> str:
    """The recorded reason as a Russian reader should see it."""
    text = reason.strip().rstrip(".")
    for pattern, render in PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return render(found)
    return text


TIE_BREAK_STEPS = {
    "score": "оценка",
    "reviews": "больше экспертиз",
    "submitted_first": "заявка подана раньше",
    "lottery": "жребий (воспроизводимый по записи)",
    "reference": "номер заявки",
}


def tie_break_step(step: str, criteria: Mapping[str, str]) -> str:
    """The ranking step (`RankedEntry.settled_by`) that placed an entry below the one above it;
    `criteria` maps the spec's criterion codes to their titles."""
    if step.startswith("criterion:"):
        code = step.removeprefix("criterion:")
        return f"критерий «{criteria.get(code, code)}»"
    return TIE_BREAK_STEPS.get(step, step)
