"""Concluding phases: each reads the log up to the event that closed the phase, applies the
pure rules and records the outcome. Auditors can repeat every step from the same log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.aggregates import Ballot, Contest, Submission, SubmissionStatus
from domain.aggregates.ballot_batch import BallotBatch
from domain.application import collector_paused, topic_of
from domain.ballot_store import topic_states
from domain.errors import InvalidCommand
from domain.ids import submission_id
from domain.judging_reads import JudgingReads
from domain.outcomes import ScreeningOutcome, VoteTally
from domain.phases import Phase
from domain.registry import registry_memberships
from domain.rules.anomalies import vote_anomalies
from domain.rules.eligibility import ineligibility, lateness, submission_day
from domain.rules.standings import declare_standings
from domain.rules.tally import CountedBallot, nest


class ConclusionCommands(JudgingReads):
    def conclude_screening(self, slug: str, command_id: str) -> bool:
        closed_at = self._closed_at(slug, Phase.COLLECTING)

        def act(contest: Contest) -> Iterable[Any]:
            spec = contest.spec
            entries = list(self.contest_events(slug, [Submission.Submitted]))
            registry = spec.eligibility.registry
            inns = [inn for e in entries if (inn := e.state["applicant"].get("inn"))]
            members = registry_memberships(self, registry, inns) if registry else None
            decided: list[Submission] = []
            rejected: Counter[str] = Counter()
            for logged in entries:
                submission: Submission = self.repository.get(logged.originator_id)
                if submission.status != SubmissionStatus.SUBMITTED:
                    continue
                day = submission_day(datetime.fromisoformat(logged.state["timestamp"]), spec.timezone)
                found = lateness(logged.position, closed_at) or ineligibility(
                    spec, submission.nomination, submission.applicant, day, members
                )
                if found is None:
                    submission.admit()
                else:
                    submission.reject(found.reason)
                    rejected[found.kind] += 1
                decided.append(submission)
            outcome = ScreeningOutcome(
                collection_closed_at=closed_at, admitted=len(decided) - rejected.total(),
                rejected=dict(sorted(rejected.items())),
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

    def tally_votes(self, slug: str, command_id: str) -> bool:
        closed_at = self._closed_at(slug, Phase.VOTING)

        def act(contest: Contest) -> Iterable[Any]:
            contest.record_tally(self.count(slug, closed_at), command_id)
            return ()

        return self.run_contest_command(slug, command_id, act)

    def count(self, slug: str, closed_at: int) -> VoteTally:
        """Recount the vote from the log: ballots recorded before the close count, once each."""
        counts: Counter[CountedBallot] = Counter()
        minutes: Counter[str] = Counter()
        region_minutes: Counter[tuple[str, str]] = Counter()
        late = 0
        decode = self.mapper.decode_state  # type: ignore[attr-defined]
        with collector_paused():
            for position, stored in topic_states(self.recorder, topic_of(Ballot.Cast)):
                state = decode(stored)
                if state["contest"] != slug:
                    continue
                if position > closed_at:
                    late += 1
                    continue
                counts[CountedBallot(state["nomination"], state["submission"], state["region"])] += 1
                minute = state["timestamp"][:16]
                minutes[minute] += 1
                region_minutes[state["region"], minute] += 1
        by_submission, by_region = nest(counts)
        rejected: Counter[str] = Counter()
        for _, state in self.read_states(topic_of(BallotBatch.Received)):
            if state["contest"] == slug:
                rejected.update(r["reason"] for r in state["rejections"])
        voting = self.get_contest(slug).spec.voting
        return VoteTally(voting_closed_at=closed_at, accepted=counts.total(), late=late,
                         rejected=dict(sorted(rejected.items())),
                         anomalies=vote_anomalies(minutes, region_minutes,
                                                  burst_factor=voting.burst_factor,
                                                  region_limit=voting.max_ballots_per_region_per_minute),
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
