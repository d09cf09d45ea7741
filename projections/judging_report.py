"""The judging report: loads, open cards, agreement, disagreements and leniency.

Computed from the log on demand with the same functions the conclusion uses, so what operators
see before judging closes is what the ranking will be built from.
"""

from __future__ import annotations

from collections import Counter

from domain.phases import Phase
from domain.rules.quality import leniency
from projections.models import ReadModel
from services.konkurs import Konkurs


class ExpertLoad(ReadModel):
    expert: str
    name: str
    level: str
    region: str
    assigned: int
    done: int
    open: int
    recused: int
    leniency: float | None


class NominationQuality(ReadModel):
    code: str
    title: str
    admitted: int
    assigned_pairs: int
    conflicts: int
    shortfalls: int
    agreement: float | None
    disagreements: list[str]
    under_reviewed: dict[str, int]
    unreviewed: int
    fallback_experts: list[str]


class JudgingReport(ReadModel):
    slug: str
    normalisation: str
    concluded: bool
    experts: list[ExpertLoad]
    nominations: list[NominationQuality]
    assignments: dict[str, list[str]]


def judging_report(konkurs: Konkurs, slug: str) -> JudgingReport:
    contest = konkurs.store.get_contest(slug)
    spec = contest.spec
    closed_at = konkurs.store.phase_closed_at(slug, Phase.JUDGING) or konkurs.store.head_position()
    judgings = konkurs.reads.judgings(spec)
    codes = [n.code for n in spec.nominations]
    rankings, cards, _ = konkurs.reads.rank_nominations(spec, closed_at, codes)
    done = {(c.submission, c.expert) for c in cards}
    assigned, recused = Counter[str](), Counter[str]()
    finished = Counter(expert for _, expert in done)
    for judging in judgings.values():
        assigned.update(judging.load())
        recused.update(e for experts in judging.recused.values() for e in experts)
    offsets = leniency(cards)
    experts = [
        ExpertLoad(expert=p.id, name=p.name, level=p.level, region=p.region,
                   assigned=assigned[p.id], done=finished[p.id],
                   open=assigned[p.id] - finished[p.id], recused=recused[p.id],
                   leniency=round(offsets[p.id], 2) if p.id in offsets else None)
        for p in konkurs.reads.roster(slug)
    ]
    admitted = Counter(e.nomination for e in konkurs.reads.admitted(slug))
    nominations = []
    for nomination, ranking in zip(spec.nominations, rankings, strict=True):
        panel = judgings.get(nomination.code)
        nominations.append(NominationQuality(
            code=nomination.code, title=nomination.title, admitted=admitted[nomination.code],
            assigned_pairs=sum(panel.load().values()) if panel else 0,
            conflicts=len(panel.conflicts) if panel else 0,
            shortfalls=len(panel.shortfalls) if panel else 0,
            agreement=ranking.agreement,
            disagreements=[e.reference for e in ranking.entries if e.disagreement],
            under_reviewed=ranking.under_reviewed, unreviewed=len(ranking.unreviewed),
            fallback_experts=sorted({x for e in ranking.entries for x in e.fallback_experts}),
        ))
    return JudgingReport(
        slug=slug, normalisation=spec.judging.normalisation,
        concluded=contest.judging is not None, experts=experts, nominations=nominations,
        assignments={code: sorted(f"{s}:{e}" for s, es in j.assigned.items() for e in es)
                     for code, j in judgings.items()},
    )
