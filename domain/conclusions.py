"""Concluding phases: each reads the log up to the event that closed the phase, applies the
pure rules and records the outcome. Auditors can repeat every step from the same log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from domain.aggregates import Ballot, Contest, Review, Submission, SubmissionStatus
from domain.application import StoreApplication, topic_of
from domain.errors import InvalidCommand
from domain.ids import submission_id
from domain.outcomes import JudgingOutcome, NominationRanking, ScreeningOutcome, VoteTally
from domain.phases import Phase
from domain.rules.eligibility import ineligibility_reason, late_reason
from domain.rules.ranking import Candidate, rank
from domain.rules.scoring import mean_score
from domain.rules.standings import declare_standings
from domain.rules.tally import CountedBallot, count_votes
from domain.spec import ContestSpec


class ConclusionCommands(StoreApplication):
    def conclude_screening(self, slug: str, command_id: str) -> bool:
        closed_at = self._closed_at(slug, Phase.COLLECTING)

        def act(contest: Contest) -> Iterable[Any]:
            spec = contest.spec
            decided: list[Submission] = []
            rejected: dict[str, int] = defaultdict(int)
            admitted = 0
            for logged in self.contest_events(slug, [Submission.Submitted]):
                submission: Submission = self.repository.get(logged.originator_id)
                if submission.status != SubmissionStatus.SUBMITTED:
                    continue
                reason = late_reason(logged.position, closed_at) or ineligibility_reason(
                    spec, submission.nomination, submission.applicant
                )
                if reason is None:
                    submission.admit()
                    admitted += 1
                else:
                    submission.reject(reason)
                    rejected[reason.split(" (")[0]] += 1
                decided.append(submission)
            outcome = ScreeningOutcome(
                collection_closed_at=closed_at, admitted=admitted, rejected=dict(rejected)
            )
            contest.conclude_screening(outcome, command_id)
            return decided

        return self.run_contest_command(slug, command_id, act)

    def conclude_judging(self, slug: str, command_id: str) -> bool:
        closed_at = self._closed_at(slug, Phase.JUDGING)

        def act(contest: Contest) -> Iterable[Any]:
            contest.conclude_judging(self.judge(contest.spec, closed_at), command_id)
            return ()

        return self.run_contest_command(slug, command_id, act)

    def judge(self, spec: ContestSpec, closed_at: int) -> JudgingOutcome:
        """Rank every nomination from the reviews recorded before judging closed."""
        entries = self.admitted_entries(spec.slug)
        cards, late = self.counted_scorecards(spec.slug, closed_at)
        criteria = spec.judging.criteria
        by_nomination: dict[str, list[Candidate]] = defaultdict(list)
        unreviewed: dict[str, list[str]] = defaultdict(list)
        for reference, (nomination, position) in entries.items():
            scorecards = list(cards.get(reference, {}).values())
            if not scorecards:
                unreviewed[nomination].append(reference)
                continue
            criterion_means = {
                c.code: sum(card[c.code] for card in scorecards) / len(scorecards)
                for c in criteria
            }
            by_nomination[nomination].append(
                Candidate(
                    reference=reference, score=mean_score(scorecards, criteria),
                    reviews=len(scorecards), position=position, criteria=criterion_means,
                )
            )
        rankings = [
            NominationRanking(
                nomination=n.code,
                entries=rank(by_nomination[n.code], spec.judging.tie_break, seed=spec.fingerprint()),
                unreviewed=sorted(unreviewed[n.code]),
            )
            for n in spec.nominations
        ]
        shortlist_size = spec.voting.shortlist_size if spec.voting.enabled else 0
        return JudgingOutcome(
            judging_closed_at=closed_at,
            reviews_counted=sum(len(c) for c in cards.values()),
            reviews_late=late,
            rankings=rankings,
            shortlist={r.nomination: [e.reference for e in r.entries[:shortlist_size]]
                       for r in rankings},
        )

    def admitted_entries(self, slug: str) -> dict[str, tuple[str, int]]:
        """Admitted submissions: reference → (nomination, position it was submitted at)."""
        submitted = {
            logged.originator_id: (logged.state["reference"], logged.state["nomination"],
                                   logged.position)
            for logged in self.contest_events(slug, [Submission.Submitted])
        }
        admitted = (
            submitted[logged.originator_id]
            for logged in self.read_log([topic_of(Submission.Admitted)])
            if logged.originator_id in submitted
        )
        return {reference: (nomination, position) for reference, nomination, position in admitted}

    def counted_scorecards(
        self, slug: str, closed_at: int
    ) -> tuple[dict[str, dict[str, dict[str, float]]], int]:
        """The last revision of each card recorded before the close, and how many came late."""
        reviews: dict[Any, tuple[str, str]] = {}
        cards: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
        late = 0
        topics = [topic_of(Review.Scored), topic_of(Review.Rescored)]
        for logged in self.read_log(topics):
            if logged.topic == topics[0]:
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

    def tally_votes(self, slug: str, command_id: str) -> bool:
        closed_at = self._closed_at(slug, Phase.VOTING)

        def act(contest: Contest) -> Iterable[Any]:
            contest.record_tally(self.count(slug, closed_at), command_id)
            return ()

        return self.run_contest_command(slug, command_id, act)

    def count(self, slug: str, closed_at: int) -> VoteTally:
        counted: list[CountedBallot] = []
        late = 0
        for logged in self.contest_events(slug, [Ballot.Cast]):
            if logged.position > closed_at:
                late += 1
                continue
            counted.append(CountedBallot(
                nomination=logged.state["nomination"], submission=logged.state["submission"],
                region=logged.state["region"],
            ))
        by_submission, by_region = count_votes(counted)
        return VoteTally(voting_closed_at=closed_at, accepted=len(counted), late=late,
                         by_submission=by_submission, by_region=by_region)

    def declare_results(self, slug: str, command_id: str) -> bool:
        def act(contest: Contest) -> Iterable[Any]:
            results = declare_standings(contest.spec, contest.judging, contest.tally)
            contest.declare_results(results, command_id)
            return ()

        return self.run_contest_command(slug, command_id, act)

    def publish_results(self, slug: str, command_id: str) -> bool:
        def act(contest: Contest) -> Iterable[Any]:
            contest.publish_results(command_id)
            placed = []
            for standing in contest.results.winners if contest.results else ():
                submission: Submission = self._existing_submission(slug, standing.reference)
                submission.award_place(standing.place, standing.score)
                placed.append(submission)
            return placed

        return self.run_contest_command(slug, command_id, act)

    def _existing_submission(self, slug: str, reference: str) -> Submission:
        submission: Submission = self.repository.get(submission_id(slug, reference))
        return submission

    def _closed_at(self, slug: str, phase: Phase) -> int:
        position = self.phase_closed_at(slug, phase)
        if position is None:
            raise InvalidCommand(f"contest {slug} has not closed {phase} yet")
        return position
