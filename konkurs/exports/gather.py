"""Which tables apply to a contest, and each one filled from the read models and the log."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.actors import Actor
from domain.aggregates import Submission
from domain.aggregates.submission import Provenance
from domain.commands.reads import ReadSubmissions
from domain.phases import Phase
from domain.rules.normalisation import Card
from domain.spec import ContestSpec
from konkurs.exports import judging_tables, outcome_tables
from konkurs.exports.judging_tables import Assignment, Filed
from konkurs.exports.sheets import Table
from projections.judging_report import judging_report
from projections.models import Results
from projections.participation_queries import participation, region_participation
from projections.queries import results
from projections.stage_queries import stage_links
from projections.views_db import ViewsDB
from services.konkurs import Konkurs
from store.log import topic_of


@dataclass
class Sources:
    """What the builders read, fetched once per export."""

    konkurs: Konkurs
    views: ViewsDB
    slug: str
    actor: Actor

    def __post_init__(self) -> None:
        self.contest = self.konkurs.store.get_contest(self.slug)
        self.spec: ContestSpec = self.contest.spec
        self.nomination_titles = {n.code: n.title for n in self.spec.nominations}
        self._results: Results | None = None
        self._filed: list[Filed] | None = None

    @property
    def results(self) -> Results:
        if self._results is None:
            self._results = results(self.views, self.slug)
        return self._results

    @property
    def filed(self) -> list[Filed]:
        """Every filed submission with its record, moment of filing and any withdrawal reason."""
        if self._filed is None:
            self._filed = self._read_filed()
        return self._filed

    def _read_filed(self) -> list[Filed]:
        records = {r.reference: r for r in self.konkurs.submission_reads.submissions(
            ReadSubmissions(actor=self.actor, slug=self.slug))}
        submitted = list(self.konkurs.store.contest_events(self.slug, [Submission.Submitted]))
        ids = {logged.originator_id: logged.state["reference"] for logged in submitted}
        withdrawn = {ids[logged.originator_id]: logged.state.get("reason")
                     for logged in self.konkurs.store.read_log([topic_of(Submission.Withdrawn)])
                     if logged.originator_id in ids}
        filed = [
            Filed(records[s.state["reference"]], s.state["timestamp"], withdrawn.get(s.state["reference"]),
                  Provenance.model_validate(s.state["provenance"]) if s.state.get("provenance") else None)
            for s in submitted if s.state["reference"] in records
        ]
        return [f for f in filed if f.record.status != "draft"]


def skipped(sources: Sources) -> dict[str, str]:
    """The tables that do not apply to this contest, each with why."""
    spec, contest = sources.spec, sources.contest
    reasons = {}
    if not spec.judging.enabled:
        for name in ("experts", "scores", "ranking"):
            reasons[name] = "the contest has no expert judging"
    elif contest.judging is None:
        reasons["scores"] = reasons["ranking"] = "judging has not concluded yet"
    if not spec.voting.enabled:
        reasons["tally"] = "the contest has no public vote"
    elif contest.tally is None:
        reasons["tally"] = "the vote has not been tallied yet"
    if participation(sources.views, sources.slug).drive is None:
        reasons["participation"] = "the contest has no participation drive"
    if spec.regional_stages is None:
        reasons["promotions"] = "the contest has no regional stages promoting into it"
    return reasons


def build(sources: Sources, name: str) -> Table:
    return BUILDERS[name](sources)


def _register(sources: Sources) -> Table:
    return judging_tables.register(sources.filed, sources.nomination_titles)


def _experts(sources: Sources) -> Table:
    konkurs = sources.konkurs
    judgings = konkurs.reads.judgings(sources.spec)
    scored = {(card.submission, card.expert) for card in _counted_cards(sources)}
    assignments = [
        Assignment(expert, submission, code, "scored" if (submission, expert) in scored else "open")
        for code, judging in judgings.items()
        for submission, experts in judging.assigned.items() for expert in experts
    ] + [
        Assignment(expert, submission, code, "recused")
        for code, judging in judgings.items()
        for submission, experts in judging.recused.items() for expert in experts
    ]
    return judging_tables.experts(judging_report(konkurs, sources.slug), konkurs.reads.roster(sources.slug),
                                  assignments)


def _scores(sources: Sources) -> Table:
    nominations = {f.record.reference: f.record.nomination for f in sources.filed}
    return judging_tables.scores(_counted_cards(sources), sources.spec.judging.criteria, nominations,
                                 sources.results)


def _counted_cards(sources: Sources) -> list[Card]:
    """The cards the ranking counted: recorded before judging closed (or so far), from experts
    assigned then; the same read the conclusion makes."""
    konkurs, spec = sources.konkurs, sources.spec
    closed_at = konkurs.store.phase_closed_at(spec.slug, Phase.JUDGING) or konkurs.store.head_position()
    cards, _ = konkurs.reads.contest_cards(spec, closed_at, konkurs.reads.judgings(spec, stop=closed_at))
    return cards


def _ranking(sources: Sources) -> Table:
    return judging_tables.ranking(sources.results, sources.spec.judging.criteria)


def _tally(sources: Sources) -> Table:
    assert sources.contest.tally is not None, "skipped() keeps an untallied contest out"
    titles = {f.record.reference: f.record.title for f in sources.filed}
    return outcome_tables.tally(sources.contest.tally, titles)


def _participation(sources: Sources) -> Table:
    league = participation(sources.views, sources.slug)
    municipalities = {
        region.code: region_participation(sources.views, sources.slug, region.code).municipalities
        for region in league.regions if region.municipalities or region.taking_part
    }
    return outcome_tables.participation(league, municipalities)


def _promotions(sources: Sources) -> Table:
    links = [link for link in stage_links(sources.views, sources.slug) if link.federal == sources.slug]
    return outcome_tables.promotions(sources.filed, sources.results, links)


BUILDERS: dict[str, Callable[[Sources], Table]] = {
    "register": _register, "experts": _experts, "scores": _scores, "ranking": _ranking,
    "tally": _tally, "participation": _participation, "promotions": _promotions,
}
