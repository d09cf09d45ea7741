"""The tables of what a contest ended with beyond the ranking: the vote by region and replication
demand, the participation league, and the promotions from regional stages with provenance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.outcomes import VoteTally
from domain.regions import region_name
from domain.rules.tally import demand_by_practice
from konkurs.exports.judging_tables import Filed
from konkurs.exports.sheets import Cell, Sheet, Table, decimal, integer, text, yes_no
from projections.models import Results
from projections.participation_models import MunicipalityCount, Participation
from projections.stage_queries import StageLink

TOP_REGIONS = 5  # regions named per practice in the demand sheet; the tally sheet has them all
LINK_STATES = {"promoted": "передал", "waiting": "ожидается", "refused": "отказано",
               "disputed": "расхождение"}


def tally(vote: VoteTally, titles: Mapping[str, str | None]) -> Table:
    by_region = Sheet("tally", "Голоса по регионам", [
        text("Код региона", 8), text("Регион", 30), text("Номинация", 22), text("Номер заявки", 12),
        text("Название практики", 50), integer("Голосов"), decimal("Доля голосов региона", 12),
    ], [
        (region, region_name(region), nomination, reference, titles.get(reference), votes,
         round(votes / sum(practices.values()), 4))
        for region, nominations in sorted(vote.by_region.items())
        for nomination, practices in sorted(nominations.items())
        for reference, votes in sorted(practices.items())
    ])
    demand_rows: list[tuple[Cell, ...]] = []
    for nomination, practices in demand_by_practice(vote.by_region).items():
        for reference, regions in sorted(practices.items(), key=lambda p: (-sum(p[1].values()), p[0])):
            demand_rows.append((
                nomination, reference, titles.get(reference), sum(regions.values()), len(regions),
                "; ".join(f"{region_name(code) or code}: {votes}"
                          for code, votes in list(regions.items())[:TOP_REGIONS]),
            ))
    demand = Sheet("demand", "Спрос на тиражирование", [
        text("Номинация", 22), text("Номер заявки", 12), text("Название практики", 50),
        integer("Голосов"), integer("Регионов"),
        text(f"Где хотят больше всего (первые {TOP_REGIONS})", 70),
    ], demand_rows)
    return Table("tally", [by_region, demand])


def participation(league: Participation, municipalities: Mapping[str, Sequence[MunicipalityCount]]) -> Table:
    regions = Sheet("participation-regions", "Лига регионов", [
        integer("Место", 7), text("Код региона", 8), text("Регион", 30), integer("Заявок"),
        integer("Допущено"), integer("Практик"), integer("Инициатив"), integer("Цель"),
        decimal("% цели"), integer("Муниципалитетов"), integer("Участвуют"), text("Отстаёт", 9),
    ], [
        (r.rank, r.code, r.name, r.submissions, r.admitted, r.practices, r.initiatives, r.target,
         r.percent_of_target, r.municipalities, r.taking_part, yes_no(r.lagging))
        for r in league.regions
    ])
    by_municipality = Sheet("participation-municipalities", "Муниципалитеты", [
        text("Код региона", 8), text("Регион", 30), text("ОКТМО", 12), text("Муниципальное образование", 40),
        integer("Заявок"),
    ], [
        (code, region_name(code), m.oktmo, m.name, m.submissions)
        for code, found in sorted(municipalities.items()) for m in found
    ])
    return Table("participation", [regions, by_municipality])


def promotions(filed: Sequence[Filed], results: Results, links: Sequence[StageLink]) -> Table:
    placed = {r.reference: r for n in results.nominations for r in n.ranking}
    rows: list[tuple[Cell, ...]] = []
    for entry in sorted(filed, key=lambda f: (f.record.nomination, f.record.reference)):
        origin, record = entry.provenance, entry.record
        if origin is None:
            continue
        here = placed.get(record.reference)
        rows.append((
            record.nomination, record.reference, record.title, origin.stage, origin.region,
            region_name(origin.region), origin.reference, origin.place, origin.score, origin.reviews,
            here.place if here else None, here.score if here else None,
        ))
    promoted = Sheet("promotions", "Переданные заявки", [
        text("Номинация", 22), text("Номер заявки", 12), text("Название практики", 50),
        text("Региональный этап", 28), text("Код региона", 8), text("Регион", 30),
        text("Номер на этапе", 14), integer("Место на этапе", 8), decimal("Балл на этапе"),
        integer("Оценок на этапе", 8), integer("Место здесь", 8), decimal("Балл здесь"),
    ], rows)
    stages = Sheet("promotions-stages", "Региональные этапы", [
        text("Региональный этап", 28), text("Код региона", 8), text("Регион", 30), text("Фаза", 14),
        text("Передача", 14), integer("Передано заявок", 10), text("Причина", 50),
    ], [
        (link.stage, link.region, link.region_name, link.phase, LINK_STATES.get(link.status, link.status),
         link.promoted, link.reason)
        for link in links
    ])
    return Table("promotions", [promoted, stages] if links else [promoted])
