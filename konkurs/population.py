"""A generated but realistic population for the demo, written the way operators' files look:
CSV from Excel, UTF-8 with BOM, `;` between cells. The same seed gives the same files."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from domain.actors import Actor, Role, Scope, actor_for
from domain.commands.intake import RecordReviews, ReviewForm
from domain.commands.order import Recorded
from domain.regions import REGIONS
from domain.spec import ApplicantKind, ContestSpec

if TYPE_CHECKING:
    from services.konkurs import Konkurs

INSTITUTION_NAMES = {
    ApplicantKind.STATE_INSTITUTION: ("ГБУЗ «Областная клиническая больница»",
                                      "ГБУ «Центр социального обслуживания населения»",
                                      "ГАУ «Многофункциональный центр»"),
    ApplicantKind.MUNICIPAL_INSTITUTION: ("МБОУ «Средняя общеобразовательная школа № 3»",
                                          "МАДОУ «Детский сад № 12»",
                                          "МКУ «Управление образования»"),
    ApplicantKind.NGO: ("АНО «Центр семейных инициатив»", "Фонд «Здоровое поколение»",
                        "АНО «Равные возможности»"),
    ApplicantKind.BUSINESS: ("ООО «МедТех Решения»", "ООО «Цифровой регион»",
                             "АО «Социальные сервисы»"),
}
# Applicants of contests between authorities (Decade of Childhood), used when a spec admits no
# institutions: the institutions' draw, and so every existing demo's population, stays as it was.
AUTHORITY_NAMES = {
    ApplicantKind.REGIONAL_AUTHORITY: ("Министерство социальной защиты населения",
                                       "Министерство образования", "Департамент здравоохранения"),
    ApplicantKind.MUNICIPALITY: ("Администрация городского округа",
                                 "Администрация муниципального района", "Администрация поселения"),
}
TITLE_OPENINGS = ("Единое окно", "Цифровой сервис", "Мобильная бригада", "Школа заботы",
                  "Проектный офис", "Навигатор")


@dataclass(frozen=True)
class Entry:
    reference: str
    nomination: str
    region: str
    quality: float


def write_excel_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write as Excel's 'CSV UTF-8' does in a Russian locale: BOM, `;`, CRLF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def submissions(spec: ContestSpec, path: Path, seed: int, count: int = 340) -> list[Entry]:
    """Entries from every region and nomination; a few come from applicants the spec excludes."""
    rng = random.Random(f"{seed}/submissions")
    nominations = spec.nominations
    names = INSTITUTION_NAMES if any(k in spec.eligibility.applicant_kinds for k in INSTITUTION_NAMES) \
        else AUTHORITY_NAMES
    admitted_kinds = [k for k in names if k in spec.eligibility.applicant_kinds]
    # Every generated applicant confirms the spec's admission conditions; the ineligible few fail on kind.
    confirmed = ",".join(condition.code for condition in spec.eligibility.conditions)
    rows, entries = [], []
    for index in range(count):
        region = REGIONS[index % len(REGIONS)] if index < len(REGIONS) else rng.choice(REGIONS)
        nomination = nominations[index % len(nominations)]
        ineligible = index % 97 == 13
        kind = ApplicantKind.PERSON if ineligible else rng.choice(admitted_kinds)
        name = "Иванов Иван Иванович" if ineligible else rng.choice(names[kind])
        reference = f"SD-{index + 1:04d}"
        title = f"{rng.choice(TITLE_OPENINGS)}: {nomination.title.lower()} ({region.name})"
        inn = "" if ineligible else f"{region.code}{rng.randrange(10**7, 10**8)}"
        rows.append((reference, nomination.code, title, name, kind.value, region.code, inn, "",
                     "Практика внедрена, результаты измерены", confirmed))
        entries.append(Entry(reference, nomination.code, region.code, rng.gauss(0.6, 0.15)))
    write_excel_csv(path, ("reference", "nomination", "title", "applicant_name", "applicant_kind",
                           "region", "inn", "municipality", "summary", "conditions"), rows)
    return entries


def experts(spec: ContestSpec, path: Path, seed: int, per_direction: int = 14) -> list[str]:
    """A roster: for each direction a few federal experts and regional ones from across Russia;
    one of them is the applicant organisation's own employee, so a conflict shows."""
    rng = random.Random(f"{seed}/experts")
    rows, ids = [], []
    for direction in spec.directions:
        for number in range(per_direction):
            expert = f"{direction.code}-{number + 1:02d}"
            federal = number < per_direction // 3
            region = "77" if federal else rng.choice(REGIONS).code
            organisation = (INSTITUTION_NAMES[ApplicantKind.STATE_INSTITUTION][number % 3]
                            if number == per_direction - 1 else f"Экспертный совет № {number + 1}")
            rows.append((expert, f"Эксперт {direction.title} {number + 1}", organisation,
                         f"{region}{rng.randrange(10**7, 10**8)}", region, "",
                         "federal" if federal else "regional", direction.code))
            ids.append(expert)
    write_excel_csv(path, ("id", "name", "organisation", "inn", "region", "municipality", "level",
                           "directions"), rows)
    return ids


def reviews(
    spec: ContestSpec, entries: Sequence[Entry], assignments: dict[str, list[str]], path: Path,
    seed: int,
) -> int:
    """A card for every assigned pair; each expert has a leniency of their own."""
    rng = random.Random(f"{seed}/reviews")
    experts = sorted({e for assigned in assignments.values() for e in assigned})
    leniency = {expert: rng.gauss(0, 0.08) for expert in experts}
    criteria = spec.judging.criteria
    rows = []
    for entry in entries:
        for expert in assignments.get(entry.reference, []):
            scores = []
            for criterion in criteria:
                low, high = criterion.scale.min, criterion.scale.max
                level = entry.quality + leniency[expert] + rng.gauss(0, 0.1)
                scores.append(round(min(high, max(low, low + level * (high - low)))))
            rows.append((entry.reference, expert, *scores))
    return write_excel_csv(path, ("submission", "expert", *(c.code for c in criteria)), rows)


def ballots(
    shortlist: dict[str, list[str]], entries: Sequence[Entry], path: Path, seed: int,
    voters: int = 2500,
) -> int:
    """Citizens vote in a few nominations each, leaning to better practices and their own region."""
    rng = random.Random(f"{seed}/ballots")
    by_reference = {e.reference: e for e in entries}
    nominations = sorted(code for code, refs in shortlist.items() if refs)
    rows = []
    for number in range(voters):
        region = rng.choice(REGIONS).code
        for nomination in rng.sample(nominations, k=min(len(nominations), rng.randint(1, 3))):
            choices = shortlist[nomination]
            weights = [
                max(0.05, by_reference[ref].quality) * (2 if by_reference[ref].region == region else 1)
                for ref in choices
            ]
            pick = rng.choices(choices, weights=weights)[0]
            rows.append((f"esia-{number + 1:07d}", nomination, pick, region))
    return write_excel_csv(path, ("voter", "nomination", "submission", "region"), rows)


def expert_actor(slug: str, expert: str) -> Actor:
    return actor_for(Role.EXPERT, expert, Scope(contests=(slug,)))


def record_cards(
    konkurs: Konkurs, slug: str, forms: Iterable[tuple[str, ReviewForm]],
    actor_of: Callable[[str, str], Actor] = expert_actor,
) -> Recorded:
    """Record a panel's cards as its experts do: each expert's cards in one order, under that
    expert's own actor (`actor_of(slug, expert)`)."""
    by_expert: dict[str, list[tuple[str, ReviewForm]]] = {}
    for labelled in forms:
        by_expert.setdefault(labelled[1].expert, []).append(labelled)
    return Recorded(recorded=sum(
        konkurs.submissions.record_reviews(
            RecordReviews(slug=slug, forms=cards, actor=actor_of(slug, expert))).recorded
        for expert, cards in by_expert.items()
    ))
