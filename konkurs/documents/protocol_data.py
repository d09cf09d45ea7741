"""What a nomination's protocol states, gathered from the record and the results view.

Nothing here ranks or normalises: places, scores and tie-break steps are the results view's,
the cards and assignments are the log's as they stood when judging closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.aggregates import Contest, ExpertProfile, Judging
from domain.aggregates.judging import judging_id
from domain.errors import InvalidCommand
from domain.ids import contest_id
from domain.phases import Phase
from domain.regions import region_name
from domain.rules.russian_reasons import tie_break_step
from domain.russian_dates import russian_date
from domain.spec import ContestSpec
from projections.models import NominationResults, Results
from services.konkurs import Konkurs
from store.log import topic_of

NORMALISATION = {
    "raw": "без нормализации (средняя оценка экспертов)",
    "zscore": "z-нормализация оценок каждого эксперта",
    "trimmed": "среднее без крайних оценок",
}
# The conflict rules' reasons (domain/rules/assignment.py), as the protocol states them.
CONFLICTS = {
    "same INN as the applicant": "тот же ИНН, что у заявителя",
    "same organisation as the applicant": "та же организация, что у заявителя",
    "same municipality as the applicant": "тот же муниципалитет, что у заявителя",
    "regional expert of the applicant's region": "региональный эксперт из региона заявителя",
}


@dataclass(frozen=True)
class PanelMember:
    expert: str
    name: str
    organisation: str
    region: str
    assigned: int
    done: int


@dataclass(frozen=True)
class Recusal:
    reference: str
    name: str
    reason: str
    at_assignment: bool  # a conflict of interest found when assigning, not a later recusal


@dataclass(frozen=True)
class ScoreRow:
    place: int
    reference: str
    title: str
    applicant: str
    region: str
    cards: list[tuple[str, float]]  # each counted card: the expert's name and total
    raw_score: float | None
    score: float
    tie_break: str


@dataclass(frozen=True)
class Protocol:
    contest: str
    slug: str
    organisers: str
    nomination_code: str
    nomination: str
    concluded_on: str
    normalisation: str
    cascade: str
    panel: list[PanelMember]
    recusals: list[Recusal]
    scores: list[ScoreRow]
    winners: list[ScoreRow]
    judging_seal: tuple[int, str] | None
    results_seal: tuple[int, str] | None
    assignments: int = field(default=0)


def judged_nominations(results: Results, codes: list[str]) -> list[NominationResults]:
    """The nominations asked for (all when none), refusing any not judged yet."""
    by_code = {n.code: n for n in results.nominations}
    for code in codes:
        if code not in by_code:
            raise InvalidCommand(f"--nomination {code}: contest {results.slug} has no such nomination; "
                                 f"it has {', '.join(by_code)}")
        if not results.judged:
            raise InvalidCommand(f"--nomination {code}: judging of {results.slug} is not concluded yet")
    if not results.judged:
        raise InvalidCommand(f"judging of {results.slug} is not concluded yet: no protocol to write")
    return [by_code[code] for code in codes] if codes else list(results.nominations)


def protocol(konkurs: Konkurs, results: Results, nomination: NominationResults) -> Protocol:
    contest = konkurs.store.get_contest(results.slug)
    spec = contest.spec
    closed_at = konkurs.store.closed_at(results.slug, Phase.JUDGING)
    judgings = konkurs.reads.judgings(spec, stop=closed_at)
    judging = judgings.get(nomination.code)
    cards, _ = konkurs.reads.contest_cards(spec, closed_at, judgings)
    profiles = {p.id: p for p in konkurs.reads.roster(results.slug)}
    recusals = _recusals(konkurs, results.slug, nomination.code, judging, profiles)
    panel = _panel(judging, profiles, {(c.submission, c.expert) for c in cards})
    card_of = {(c.submission, c.expert): c.score for c in cards}
    cascade = spec.judging.cascade()
    scores = [
        ScoreRow(place=r.place, reference=r.reference, title=r.title or "", applicant=r.applicant or "",
                 region=r.region_name or r.region or "",
                 cards=[(m.name, card_of[r.reference, m.expert]) for m in panel
                        if (r.reference, m.expert) in card_of],
                 raw_score=r.raw_score, score=r.score, tie_break=tie_break(r.settled_by, spec))
        for r in nomination.ranking
    ]
    placed = {w.reference: w.place for w in nomination.winners}
    seal = contest.judging.seal if contest.judging else None
    return Protocol(
        contest=spec.title, slug=spec.slug, organisers=", ".join(spec.organisers),
        nomination_code=nomination.code, nomination=nomination.title,
        concluded_on=_concluded_on(konkurs, contest),
        normalisation=NORMALISATION.get(spec.judging.normalisation, spec.judging.normalisation),
        cascade=" → ".join(tie_break_step(step, {c.code: c.title for c in spec.judging.criteria})
                           for step in cascade),
        panel=panel, recusals=recusals, scores=scores,
        winners=sorted((s for s in scores if s.reference in placed), key=lambda s: placed[s.reference]),
        judging_seal=(seal.chain_position, seal.chain_head) if seal else None,
        results_seal=(results.sealed_position, results.sealed_head)
        if results.sealed_position is not None and results.sealed_head else None,
        assignments=sum(len(e) for e in judging.assigned.values()) if judging else 0,
    )


def tie_break(settled_by: str | None, spec: ContestSpec) -> str:
    """Why an entry stands below the one above it, in the protocol's words."""
    if settled_by is None:
        return "—"
    if settled_by == "score":
        return "оценка ниже"
    titles = {c.code: c.title for c in spec.judging.criteria}
    return f"равная оценка; решил шаг «{tie_break_step(settled_by, titles)}»"


def _panel(judging: Judging | None, profiles: dict[str, ExpertProfile],
           done: set[tuple[str, str]]) -> list[PanelMember]:
    if judging is None:
        return []
    assigned = judging.load()
    sat = set(assigned) | {e for experts in judging.recused.values() for e in experts}
    members = [profiles[e] for e in sat if e in profiles]
    return [
        PanelMember(expert=p.id, name=p.name, organisation=p.organisation,
                    region=region_name(p.region) or p.region, assigned=assigned.get(p.id, 0),
                    done=sum(1 for s, e in done if e == p.id and s in judging.assigned))
        for p in sorted(members, key=lambda p: (p.name, p.id))
    ]


def _recusals(konkurs: Konkurs, slug: str, code: str, judging: Judging | None,
              profiles: dict[str, ExpertProfile]) -> list[Recusal]:
    def name(expert: str) -> str:
        return profiles[expert].name if expert in profiles else expert

    found = [Recusal(reference=s, name=name(e), reason=CONFLICTS.get(reason, reason),
                     at_assignment=True)
             for (s, e), reason in sorted((judging.conflicts if judging else {}).items())]
    wanted = judging_id(slug, code)
    for logged in konkurs.store.read_log([topic_of(Judging.Recused)]):
        if logged.originator_id == wanted:
            state = logged.state
            found.append(Recusal(reference=state["submission"], name=name(state["expert"]),
                                 reason=state["reason"], at_assignment=False))
    return found


def _concluded_on(konkurs: Konkurs, contest: Contest) -> str:
    """The day judging was concluded, in the contest's timezone, as the log records it."""
    wanted = contest_id(contest.slug)
    for logged in konkurs.store.read_log([topic_of(Contest.JudgingConcluded)]):
        if logged.originator_id == wanted:
            moment = datetime.fromisoformat(logged.state["timestamp"])
            return russian_date(moment.astimezone(ZoneInfo(contest.spec.timezone)).date())
    return "—"
