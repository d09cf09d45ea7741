"""The tables of intake and judging: the register, the experts and their assignments, the scores
and the ranking. Each builder turns read models into a `Table`; nothing here reads the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.aggregates import ExpertProfile
from domain.aggregates.submission import Provenance
from domain.commands.reads import SubmissionRecord
from domain.regions import region_name
from domain.rules.normalisation import Card
from domain.rules.russian_reasons import APPLICANT_KINDS, in_russian, tie_break_step
from domain.spec.judging import Criterion
from konkurs.exports.sheets import (
    Cell,
    Sheet,
    Table,
    decimal,
    in_moscow,
    integer,
    moment,
    text,
    yes_no,
)
from projections.judging_report import JudgingReport
from projections.models import Results

SCREENING = {"admitted": "допущена", "placed": "допущена", "rejected": "отклонена",
             "withdrawn": "отозвана", "submitted": "не рассмотрена"}


@dataclass(frozen=True)
class Filed:
    """A submission as the register shows it: its record, when it was filed, why it was withdrawn."""

    record: SubmissionRecord
    submitted_at: str  # the logged ISO timestamp
    withdrawn_reason: str | None = None
    provenance: Provenance | None = None  # promoted from a regional stage


def register(filed: Sequence[Filed], nomination_titles: Mapping[str, str]) -> Table:
    columns = [text("Номер заявки", 12), text("Номинация", 22), text("Название номинации", 36),
               text("Название практики", 50), text("Заявитель", 40), text("Тип заявителя", 24),
               text("Код региона", 8), text("Регион", 30), moment("Подано (МСК)"),
               text("Статус", 14), text("Причина", 50)]
    rows: list[tuple[Cell, ...]] = []
    for entry in sorted(filed, key=lambda f: f.record.reference):
        record, applicant = entry.record, entry.record.applicant
        rows.append((
            record.reference, record.nomination, nomination_titles.get(record.nomination),
            record.title, applicant.name, APPLICANT_KINDS.get(applicant.kind, applicant.kind),
            applicant.region, region_name(applicant.region), in_moscow(entry.submitted_at),
            SCREENING.get(record.status, record.status),
            in_russian(record.rejection_reason) if record.rejection_reason else entry.withdrawn_reason,
        ))
    return Table("register", [Sheet("register", "Реестр заявок", columns, rows)])


@dataclass(frozen=True)
class Assignment:
    expert: str
    submission: str
    nomination: str
    state: str  # scored, open or recused


ASSIGNMENT_STATES = {"scored": "оценена", "open": "не оценена", "recused": "самоотвод"}


def experts(report: JudgingReport, profiles: Sequence[ExpertProfile],
            assignments: Sequence[Assignment]) -> Table:
    by_id = {p.id: p for p in profiles}
    columns = [text("Эксперт", 18), text("ФИО", 30), text("Организация", 36), text("Код региона", 8),
               text("Регион", 30), text("Уровень", 12), text("Рабочие группы", 30),
               integer("Назначено"), integer("Оценено"), integer("Не оценено"), integer("Самоотводы")]
    rows: list[tuple[Cell, ...]] = []
    for load in report.experts:
        profile = by_id.get(load.expert)
        rows.append((
            load.expert, load.name, profile.organisation if profile else None, load.region,
            region_name(load.region), "федеральный" if load.level == "federal" else "региональный",
            ", ".join(profile.directions) if profile else None,
            load.assigned, load.done, load.open, load.recused,
        ))
    given = Sheet("assignments", "Назначения", [
        text("Эксперт", 18), text("Номер заявки", 12), text("Номинация", 22), text("Состояние", 14),
    ], [(a.expert, a.submission, a.nomination, ASSIGNMENT_STATES.get(a.state, a.state))
        for a in sorted(assignments, key=lambda a: (a.nomination, a.submission, a.expert))])
    return Table("experts", [Sheet("experts", "Эксперты", columns, rows), given])


def scores(cards: Sequence[Card], criteria: Sequence[Criterion], nominations: Mapping[str, str],
           results: Results) -> Table:
    """Each counted review with its raw criteria, and the submission's score the ranking used."""
    ranked = {(n.code, r.reference): r for n in results.nominations for r in n.ranking}
    columns = [text("Номинация", 22), text("Номер заявки", 12), text("Эксперт", 18),
               *(decimal(f"{c.title} (сырой балл)", 14) for c in criteria),
               decimal("Итог оценки, сырой", 12), decimal("Средний сырой балл заявки", 14),
               decimal(f"Балл заявки в ранжировании ({results.normalisation or 'raw'})", 16)]
    rows: list[tuple[Cell, ...]] = []
    for card in sorted(cards, key=lambda c: (nominations.get(c.submission, ""), c.submission, c.expert)):
        nomination = nominations.get(card.submission, "")
        entry = ranked.get((nomination, card.submission))
        rows.append((nomination, card.submission, card.expert,
                     *(card.criteria.get(c.code) for c in criteria), round(card.score, 4),
                     entry.raw_score if entry else None, entry.score if entry else None))
    return Table("scores", [Sheet("scores", "Оценки", columns, rows, split_by=0)])


def ranking(results: Results, criteria: Sequence[Criterion]) -> Table:
    titles = {c.code: c.title for c in criteria}
    winners = {(n.code, w.reference) for n in results.nominations for w in n.winners}
    columns = [text("Номинация", 22), integer("Место", 7), text("Номер заявки", 12),
               text("Название практики", 50), text("Заявитель", 36), text("Код региона", 8),
               text("Регион", 30), decimal("Балл"), decimal("Сырой балл"), integer("Оценок", 8),
               text("Чем решён порядок", 22), text("Победитель", 10), text("В бюллетене", 10)]
    rows: list[tuple[Cell, ...]] = [
        (n.code, r.place, r.reference, r.title, r.applicant, r.region, r.region_name, r.score,
         r.raw_score, r.reviews, tie_break_step(r.settled_by, titles) if r.settled_by else None,
         yes_no((n.code, r.reference) in winners), yes_no(r.shortlisted))
        for n in results.nominations for r in n.ranking
    ]
    return Table("ranking", [Sheet("ranking", "Рейтинг", columns, rows, split_by=0)])
