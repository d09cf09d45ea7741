"""Concluding phases: each reads the log up to the event that closed the phase, applies the
pure rules and records the outcome. Auditors can repeat every step from the same log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from domain.aggregates import Applicant, Ballot, Contest, Submission, SubmissionStatus
from domain.aggregates.ballot_batch import BallotBatch
from domain.aggregates.submission import Nominee
from domain.commands.order import CommandResult, ContestOrder
from domain.ids import submission_id
from domain.outcomes import ScreeningOutcome, VoteTally
from domain.phases import Phase
from domain.rules.anomalies import vote_anomalies
from domain.rules.eligibility import Ineligibility, ineligibility, lateness, submission_day
from domain.rules.judgement import open_cards_by_nomination
from domain.rules.material_gate import missing_materials
from domain.rules.nominees import person_screened
from domain.rules.standings import declare_standings
from domain.rules.tally import CountedBallot, nest
from domain.spec import ContestSpec
from services.chain import Chain
from services.drafts import DRAFT_TOPICS, PendingDrafts
from services.judging_reads import JudgingReads
from services.registry import registry_memberships
from store.application import StoreApplication
from store.log import collector_paused, topic_of


class ScreeningDecision(NamedTuple):
    submission_id: UUID
    reference: str
    rejection: Ineligibility | None


class Screening(NamedTuple):
    decisions: list[ScreeningDecision]
    outcome: ScreeningOutcome


class FiledEntry(NamedTuple):
    """A submission as it was filed: its form after the draft's last revision, and the
    position and time of the event that filed it."""

    submission_id: UUID
    form: dict[str, Any]
    position: int
    filed_at: datetime


_SUBMITTED, _WITHDRAWN = topic_of(Submission.Submitted), topic_of(Submission.Withdrawn)


def filed_entries(store: StoreApplication, slug: str, stop: int | None = None) -> list[FiledEntry]:
    """The contest's filed submissions up to `stop`, in the order they were filed, without the
    ones withdrawn by then."""
    drafts = PendingDrafts(slug)
    filed: dict[UUID, FiledEntry] = {}
    for logged in store.read_log([*DRAFT_TOPICS, _WITHDRAWN], stop=stop):
        key, state = logged.originator_id, logged.state
        if logged.topic == _WITHDRAWN:
            filed.pop(key, None)
            continue
        if logged.topic == _SUBMITTED and state["contest"] == slug and not state.get("draft"):
            form: dict[str, Any] | None = dict(state)
        else:
            form = drafts.take(logged.topic, key, state)
        if form is not None:
            filed[key] = FiledEntry(key, form, logged.position, datetime.fromisoformat(state["timestamp"]))
    return sorted(filed.values(), key=lambda entry: entry.position)


def screen_on_arrival(spec: ContestSpec, submissions: Iterable[Submission]) -> None:
    """With `screening.on_arrival`, decide each submission being filed now, by the rules the
    close would apply (the spec forbids a registry rule here, which is read at the close)."""
    if not spec.screening.on_arrival:
        return
    for submission in submissions:
        if submission.status != SubmissionStatus.SUBMITTED:
            continue
        found = ineligibility(spec, submission.nomination,
                              person_screened(submission.applicant, submission.nominee),
                              confirmed=submission.conditions)
        if found is None:
            submission.admit()
        else:
            submission.reject(found.reason)


class ResultsService:
    """Concluding screening, judging and the vote, then declaring and publishing the results."""

    def __init__(self, store: StoreApplication, reads: JudgingReads, chain: Chain) -> None:
        self.store = store
        self.reads = reads
        self.chain = chain

    def conclude_screening(self, order: ContestOrder) -> CommandResult:
        slug, command_id = order.slug, order.command_id
        closed_at = self.store.closed_at(slug, Phase.COLLECTING)

        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "conclude screening")
            screening = self.screen(contest.spec, closed_at)
            decided: list[Submission] = []
            for decision in screening.decisions:
                submission: Submission = self.store.repository.get(decision.submission_id)
                if submission.status != SubmissionStatus.SUBMITTED:
                    continue
                if decision.rejection is None:
                    submission.admit()
                else:
                    submission.reject(decision.rejection.reason)
                decided.append(submission)
            contest.conclude_screening(
                screening.outcome.model_copy(update={"seal": self.chain.seal(contest.spec)}),
                command_id)
            return decided

        return self.store.run_contest_command(slug, command_id, order.actor, act)

    def screen(self, spec: ContestSpec, closed_at: int, stop: int | None = None) -> Screening:
        """Each filed submission's screening decision from the log up to `stop`: lateness by the
        log order of its filing, then eligibility against the registry as it stood when
        collection closed. Submissions withdrawn by then, and drafts never filed, are not
        screened. A decision made on arrival is the same rule on the same form."""
        entries = filed_entries(self.store, spec.slug, stop)
        registry = spec.eligibility.registry
        inns = [inn for e in entries if (inn := e.form["applicant"].get("inn"))]
        members = registry_memberships(self.store, registry, inns, stop=closed_at) if registry else None
        required = spec.materials.required
        attached = Counter(logged.originator_id for logged in self.store.read_log(
            [topic_of(Submission.MaterialAttached)], stop=stop)) if required else Counter()
        decisions: list[ScreeningDecision] = []
        rejected: Counter[str] = Counter()
        for entry in entries:
            form = entry.form
            day = submission_day(entry.filed_at, spec.timezone)
            found = lateness(entry.position, closed_at) or ineligibility(
                spec, form["nomination"], person_screened(Applicant.model_validate(form["applicant"]),
                                                          Nominee.model_validate(form["nominee"])
                                                          if form.get("nominee") else None),
                day, members, form.get("conditions", ())) or missing_materials(
                required, attached[entry.submission_id])
            if found is not None:
                rejected[found.kind] += 1
            decisions.append(ScreeningDecision(entry.submission_id, form["reference"], found))
        outcome = ScreeningOutcome(
            collection_closed_at=closed_at, admitted=len(decisions) - rejected.total(),
            rejected=dict(sorted(rejected.items())),
        )
        return Screening(decisions, outcome)

    def open_cards(self, order: ContestOrder) -> dict[str, int]:
        """Cards assigned and not yet in, per nomination (only those with any): what closing
        judging now would leave unreviewed. Reads only."""
        contest = self.store.get_contest(order.slug)
        contest.require_operator(order.actor, "close judging")
        judgings = self.reads.judgings(contest.spec)
        cards, _ = self.reads.counted_scorecards(order.slug, self.store.head_position())
        return open_cards_by_nomination({code: j.assigned for code, j in judgings.items()}, cards)

    def conclude_judging(self, order: ContestOrder) -> CommandResult:
        slug, command_id = order.slug, order.command_id
        closed_at = self.store.closed_at(slug, Phase.JUDGING)

        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "conclude judging")
            outcome = self.reads.judge(contest.spec, closed_at)
            contest.conclude_judging(
                outcome.model_copy(update={"seal": self.chain.seal(contest.spec)}), command_id)
            return ()

        return self.store.run_contest_command(slug, command_id, order.actor, act)

    def tally_votes(self, order: ContestOrder) -> CommandResult:
        slug, command_id = order.slug, order.command_id
        closed_at = self.store.closed_at(slug, Phase.VOTING)

        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "tally the vote")
            tally = self.count(slug, closed_at)
            contest.record_tally(tally.model_copy(update={"seal": self.chain.seal(contest.spec)}),
                                 command_id)
            return ()

        return self.store.run_contest_command(slug, command_id, order.actor, act)

    def count(self, slug: str, closed_at: int, stop: int | None = None) -> VoteTally:
        """Recount the vote from the log up to `stop`: ballots recorded before the close count,
        once each; those after it are counted as late."""
        counts: Counter[CountedBallot] = Counter()
        minutes: Counter[str] = Counter()
        region_minutes: Counter[tuple[str, str]] = Counter()
        late = 0
        decode = self.store.mapper.decode_state  # type: ignore[attr-defined]
        with collector_paused():
            for position, stored in self.store.reader.stored_states(topic_of(Ballot.Cast), stop=stop):
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
        for _, state in self.store.read_states(topic_of(BallotBatch.Received), stop=stop):
            if state["contest"] == slug:
                rejected.update(r["reason"] for r in state["rejections"])
        voting = self.store.get_contest(slug).spec.voting
        return VoteTally(voting_closed_at=closed_at, accepted=counts.total(), late=late,
                         rejected=dict(sorted(rejected.items())),
                         anomalies=vote_anomalies(minutes, region_minutes,
                                                  burst_factor=voting.burst_factor,
                                                  region_limit=voting.max_ballots_per_region_per_minute),
                         by_submission=by_submission, by_region=by_region)

    def declare_results(self, order: ContestOrder) -> CommandResult:
        slug, command_id = order.slug, order.command_id
        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "declare results")
            results = declare_standings(contest.spec, contest.judging, contest.tally)
            contest.declare_results(
                results.model_copy(update={"seal": self.chain.seal(contest.spec)}), command_id)
            return ()

        return self.store.run_contest_command(slug, command_id, order.actor, act)

    def publish_results(self, order: ContestOrder) -> CommandResult:
        slug, command_id = order.slug, order.command_id
        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "publish results")
            contest.publish_results(command_id, self.chain.seal(contest.spec))
            placed = []
            for standing in contest.results.winners if contest.results else ():
                submission: Submission = self._existing_submission(slug, standing.reference)
                submission.award_place(standing.place, standing.score)
                placed.append(submission)
            return placed

        return self.store.run_contest_command(slug, command_id, order.actor, act)

    def _existing_submission(self, slug: str, reference: str) -> Submission:
        submission: Submission = self.store.repository.get(submission_id(slug, reference))
        return submission
