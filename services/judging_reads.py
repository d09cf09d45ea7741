"""What judging reads from the log: the roster, the admitted entries, the counted cards."""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from domain.aggregates import Applicant, Expert, ExpertProfile, Judging, Review, Submission
from domain.aggregates.judging import judging_id
from domain.model import Value
from domain.outcomes import JudgingOutcome, NominationRanking
from domain.phases import Phase
from domain.rules.assignment import Entry, Reviewer
from domain.rules.judgement import rank_nomination
from domain.rules.normalisation import Card, SubmissionScore, normalise
from domain.rules.quality import leniency
from domain.rules.scoring import weighted_score
from domain.spec import ContestSpec
from store.application import StoreApplication
from store.log import topic_of


class AdmittedEntry(Value):
    reference: str
    nomination: str
    position: int
    applicant: Applicant


@dataclass(frozen=True)
class RankingBasis:
    cards: list[Card]
    late: int
    entries: dict[str, dict[str, int]]
    scores: dict[str, SubmissionScore]


_BASIS_LOCK = threading.Lock()


class JudgingReads:
    """Reads shared by judging, the conclusions and the audit."""

    def __init__(self, store: StoreApplication) -> None:
        self.store = store
        self._bases: dict[tuple[str, int], RankingBasis] = {}

    def roster(self, slug: str) -> list[ExpertProfile]:
        profiles: dict[Any, ExpertProfile] = {}
        for logged in self.store.read_log([topic_of(Expert.Enrolled), topic_of(Expert.ProfileChanged)]):
            if logged.topic == topic_of(Expert.Enrolled) and logged.state["contest"] != slug:
                continue
            if logged.topic == topic_of(Expert.Enrolled) or logged.originator_id in profiles:
                profiles[logged.originator_id] = ExpertProfile.model_validate(logged.state["profile"])
        return sorted(profiles.values(), key=lambda p: p.id)

    def judgings(self, spec: ContestSpec, stop: int | None = None) -> dict[str, Judging]:
        """Each nomination's judging: as it is now, or as it stood at log position `stop`."""
        ids = {judging_id(spec.slug, n.code): n.code for n in spec.nominations}
        versions: dict[str, int | None] = dict.fromkeys(ids.values())
        if stop is not None:
            topics = [topic_of(c) for c in (Judging.Opened, Judging.Assigned, Judging.Recused,
                                            Judging.ExpertsReminded, Judging.Concluded)]
            latest = {logged.originator_id: logged.originator_version
                      for logged in self.store.read_log(topics, stop=stop) if logged.originator_id in ids}
            versions = {ids[key]: version for key, version in latest.items()}
        found: dict[str, Judging] = {}
        for key, code in ids.items():
            if code not in versions:
                continue
            try:
                found[code] = self.store.repository.get(key, version=versions[code])
            except AggregateNotFoundError:
                continue
        return found

    def admitted(self, slug: str) -> list[AdmittedEntry]:
        """Admitted submissions in log order, with what conflict checks need of the applicant."""
        submitted = {
            logged.originator_id: logged for logged in self.store.contest_events(slug, [Submission.Submitted])
        }
        entries = []
        for logged in self.store.read_log([topic_of(Submission.Admitted)]):
            found = submitted.get(logged.originator_id)
            if found is not None:
                entries.append(AdmittedEntry(
                    reference=found.state["reference"], nomination=found.state["nomination"],
                    position=found.position, applicant=Applicant.model_validate(found.state["applicant"]),
                ))
        return sorted(entries, key=lambda e: e.position)

    def admitted_entries(self, slug: str) -> dict[str, tuple[str, int]]:
        """Admitted submissions: reference → (nomination, position it was submitted at)."""
        return {e.reference: (e.nomination, e.position) for e in self.admitted(slug)}

    def counted_scorecards(
        self, slug: str, closed_at: int
    ) -> tuple[dict[str, dict[str, dict[str, float]]], int]:
        """The last revision of each card recorded before the close, and how many came late."""
        reviews: dict[Any, tuple[str, str]] = {}
        cards: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
        late = 0
        scored, rescored = topic_of(Review.Scored), topic_of(Review.Rescored)
        for logged in self.store.read_log([scored, rescored]):
            if logged.topic == scored:
                if logged.state["contest"] != slug:
                    continue
                reviews[logged.originator_id] = (logged.state["submission"], logged.state["expert"])
            elif logged.originator_id not in reviews:
                continue
            if logged.position > closed_at:
                late += 1
                continue
            submission, expert = reviews[logged.originator_id]
            cards[submission][expert] = logged.state["scores"]
        return dict(cards), late

    def contest_cards(
        self, spec: ContestSpec, closed_at: int, judgings: dict[str, Judging]
    ) -> tuple[list[Card], int]:
        """Counted cards as scored cards: only from experts still assigned (a recusal voids one)."""
        scorecards, late = self.counted_scorecards(spec.slug, closed_at)
        assigned = {
            (submission, expert)
            for judging in judgings.values()
            for submission, experts in judging.assigned.items()
            for expert in experts
        }
        criteria = spec.judging.criteria
        cards = [
            Card(submission=submission, expert=expert, score=weighted_score(scores, criteria),
                 criteria=scores)
            for submission, by_expert in sorted(scorecards.items())
            for expert, scores in sorted(by_expert.items())
            if (submission, expert) in assigned
        ]
        return cards, late

    def lottery_seed(self, spec: ContestSpec) -> str:
        """Fixed when judging opens, unknown before: the spec and the position that opened it."""
        opened_by = self.store.phase_closed_at(spec.slug, Phase.SCREENING if spec.screening.enabled
                                         else spec.phase_plan().intake_closer)
        return hashlib.sha256(f"{spec.fingerprint()}/{opened_by}".encode()).hexdigest()[:16]

    def rank_nominations(
        self, spec: ContestSpec, closed_at: int, nominations: list[str]
    ) -> tuple[list[NominationRanking], list[Card], int]:
        """Rank from the cards and assignments as they stood when judging closed."""
        judgings = self.judgings(spec, stop=closed_at)
        basis = self._ranking_basis(spec, closed_at, judgings)
        seed = self.lottery_seed(spec)
        rankings = [
            rank_nomination(code, basis.entries.get(code, {}), basis.scores,
                            [c for c in basis.cards if c.submission in basis.entries.get(code, {})],
                            spec.judging, judgings[code].seed if code in judgings else seed)
            for code in nominations
        ]
        return rankings, basis.cards, basis.late

    def _ranking_basis(
        self, spec: ContestSpec, closed_at: int, judgings: dict[str, Judging]
    ) -> RankingBasis:
        """The counted cards, their normalised scores and the entries per nomination.

        Once judging has closed these can no longer change (no cards count after the close,
        and neither assignments nor recusals happen outside judging), so the nominations
        concluding side by side share one computation instead of repeating it per nomination.
        """
        closed = self.store.phase_closed_at(spec.slug, Phase.JUDGING) == closed_at
        key = (spec.slug, closed_at)
        with _BASIS_LOCK:
            if closed and key in self._bases:
                return self._bases[key]
            cards, late = self.contest_cards(spec, closed_at, judgings)
            entries: dict[str, dict[str, int]] = defaultdict(dict)
            for entry in self.admitted(spec.slug):
                entries[entry.nomination][entry.reference] = entry.position
            basis = RankingBasis(cards=cards, late=late, entries=dict(entries),
                                 scores=normalise(cards, spec.judging.normalisation))
            if closed:
                self._bases[key] = basis
            return basis

    def judge(self, spec: ContestSpec, closed_at: int, recorded: bool = True) -> JudgingOutcome:
        """Every nomination's ranking (as its judging recorded it when `recorded`, else computed
        the same way), the shortlist, and each expert's leniency."""
        judgings = self.judgings(spec) if recorded else {}
        missing = [n.code for n in spec.nominations
                   if n.code not in judgings or judgings[n.code].ranking is None]
        computed, cards, late = self.rank_nominations(spec, closed_at, missing)
        by_code = {r.nomination: r for r in computed}
        rankings = [by_code.get(n.code) or judgings[n.code].ranking for n in spec.nominations]
        shortlist_size = spec.voting.ballot_size(spec.places_per_nomination)
        return JudgingOutcome(
            judging_closed_at=closed_at, reviews_counted=len(cards), reviews_late=late,
            rankings=[r for r in rankings if r is not None],
            shortlist={r.nomination: [e.reference for e in r.entries[:shortlist_size]]
                       for r in rankings if r is not None},
            normalisation=spec.judging.normalisation,
            leniency={expert: round(value, 4) for expert, value in leniency(cards).items()},
        )


def as_entry(entry: AdmittedEntry) -> Entry:
    applicant = entry.applicant
    return Entry(reference=entry.reference, organisation=applicant.name, inn=applicant.inn,
                 region=applicant.region, municipality=applicant.municipality)


def as_reviewer(profile: ExpertProfile) -> Reviewer:
    return Reviewer(id=profile.id, organisation=profile.organisation, inn=profile.inn,
                    region=profile.region, municipality=profile.municipality, level=profile.level)
