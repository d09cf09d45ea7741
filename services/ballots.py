"""The vote's write path: batches of ballots checked and saved at tens of thousands a second.

Each ballot is checked against the contest as it stands (phase, nomination, shortlist, region),
its voter id is replaced by a keyed HMAC pseudonym, and its id is derived from
(contest, nomination, pseudonym). Accepted ballots become `Ballot.Cast` events written
straight as stored events; refusals are recorded in the batch's `BallotBatch.Received` event.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import NamedTuple

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from pydantic_core import to_json, to_jsonable_python

from domain.access import Stage, require_caster
from domain.actors import Actor
from domain.aggregates import Ballot, Contest, IntakeKind
from domain.aggregates.ballot_batch import BallotBatch, Rejection, batch_id
from domain.commands.intake import BallotInput, BatchOutcome, CastBallots
from domain.errors import BallotRefused, DuplicateBallot, KonkursError
from domain.ids import ballot_hex
from domain.phases import Phase
from domain.regions import REGION_CODES
from domain.rules.voter_ids import normalise_voter_id
from services.acceptances import Acceptances
from services.judging_reads import JudgingReads
from store.application import StoreApplication
from store.ballots import insert_new
from store.log import collector_paused, topic_of

ALREADY_VOTED = "already voted in this nomination"
OUTSIDE_WINDOW = "outside the voting window"
NOT_SHORTLISTED = "submission not on the shortlist"
UNKNOWN_NOMINATION = "unknown nomination"
UNKNOWN_REGION = "unknown region"
NO_VOTER_ID = "no voter id"


def voter_pseudonym(key: bytes, voter: str) -> str:
    """The keyed HMAC of a voter id as given; `_Checker` normalises the id by the spec's rule first."""
    return hmac.digest(key, voter.encode(), "sha256").hex()


class BallotService:
    """The vote's write path."""

    def __init__(self, store: StoreApplication, reads: JudgingReads, acceptances: Acceptances) -> None:
        self.store = store
        self.reads = reads
        self.acceptances = acceptances

    def cast_ballots(self, order: CastBallots) -> BatchOutcome:
        """Record a batch: accepted ballots as events, refusals with their reasons.

        The same batch id again records nothing and answers with the first outcome. A strict
        batch (an operator's file) is refused whole at its first refusal, and nothing is written.
        """
        slug, ballots = order.slug, order.ballots
        contest = (self.store.open_contest(slug, Phase.VOTING, "ballots") if order.strict
                   else self.store.get_contest(slug))
        require_caster(order.actor, Stage.of(contest.spec))
        batch = order.batch or _content_id(slug, ballots)
        previous = self._batch(slug, batch)
        if previous is not None:
            return _outcome(previous, repeated=True)
        return self._record_batch(contest, order, batch)

    def _record_batch(self, contest: Contest, order: CastBallots, batch: str) -> BatchOutcome:
        """Check the batch against `contest` as given and record it."""
        checked = self._checker(contest, order.voter_key).check(order.ballots, order.actor, batch)
        outcome: list[BatchOutcome] = []

        def build(existing: set[str]) -> list[StoredEvent]:
            events, record = self._accept(checked, order, batch, existing)
            outcome.append(_outcome(record))
            return events

        with collector_paused():
            insert_new(self.store.dialect, checked.slots(), build)
        return outcome[0]

    def cast_together(self, orders: Sequence[CastBallots]) -> list[BatchOutcome | KonkursError]:
        """Several requests' batches in one transaction, each answered as if cast alone: the
        API's group commit of single ballots, where one durable commit serves many requests.

        A request refused as a whole (unknown contest, a caller who may not cast) gets its error
        and costs the others nothing; a batch id seen twice is recorded once."""
        answers: list[BatchOutcome | KonkursError | None] = [None] * len(orders)
        batches = [order.batch or _content_id(order.slug, order.ballots) for order in orders]
        pending: list[tuple[int, str, _Checked]] = []  # order index, batch id (hex), its ballots
        checkers: dict[str, _Checker] = {}
        seen: set[str] = set()
        for index, order in enumerate(orders):
            try:
                checker = checkers.get(order.slug) or self._checker(
                    self.store.get_contest(order.slug), order.voter_key)
                checkers[order.slug] = checker
                require_caster(order.actor, checker.stage)
                record_id = batch_id(order.slug, batches[index]).hex
                if record_id in seen:
                    continue
                seen.add(record_id)
                # A retry's batch is found by the transaction's one look-up of every id below,
                # not by a read per request.
                pending.append((index, record_id,
                                checker.check(order.ballots, order.actor, batches[index])))
            except KonkursError as refused:
                answers[index] = refused

        def build(existing: set[str]) -> list[StoredEvent]:
            events: list[StoredEvent] = []
            for index, record_id, checked in pending:
                if record_id in existing:
                    continue  # another process recorded this batch meanwhile: read below
                own, record = self._accept(checked, orders[index], batches[index], existing)
                events.extend(own)
                answers[index] = _outcome(record)
            return events

        candidates = [slot for *_, checked in pending for slot in checked.slots()]
        candidates += [record_id for _, record_id, _ in pending]
        with collector_paused():
            insert_new(self.store.dialect, candidates, build)
        answered: list[BatchOutcome | KonkursError] = []
        for index, order in enumerate(orders):
            answer = answers[index]
            if answer is None:
                # A request still unanswered recorded nothing: its batch is another request's of
                # this group, or another process recorded it first.
                recorded = self._batch(order.slug, batches[index])
                answer = (_outcome(recorded, repeated=True) if recorded is not None
                          else KonkursError("the batch was not recorded"))
            answered.append(answer)
        return answered

    def _accept(
        self, checked: _Checked, order: CastBallots, batch: str, taken: set[str]
    ) -> tuple[list[StoredEvent], BallotBatch]:
        """The events of one batch: each ballot in its voter's first free slot of the nomination,
        in batch order (`taken` grows with them), then the batch's record of what it refused."""
        refused = list(checked.rejections)
        events: list[StoredEvent] = []
        seal = self.store.mapper.seal  # type: ignore[attr-defined]
        for slots, voter, row, index in checked.accepted:
            for slot in slots:
                if slot not in taken:
                    break
            else:
                refused.append((index, _rejection(row, voter, ALREADY_VOTED)))
                continue
            taken.add(slot)
            events.append(StoredEvent(slot, 1, CAST_TOPIC, seal(checked.state(row, voter))))
        rejections = [rejection for _, rejection in sorted(refused, key=lambda r: r[0])]
        if order.strict and rejections:
            first = rejections[0]
            refusal = DuplicateBallot if first.reason == ALREADY_VOTED else BallotRefused
            raise refusal(f"{first.label}: {first.reason} (nomination {first.nomination}, "
                          f"submission {first.submission})")
        digest, signature = self.acceptances.attest(order.slug, IntakeKind.BALLOTS, batch, events,
                                                    order.actor)
        record = BallotBatch(contest=order.slug, batch=batch, sent=len(order.ballots),
                             accepted=len(events), rejections=rejections, digest=digest,
                             attestation=signature)
        return [*events, *self.store.stored([record], order.actor)], record

    def _checker(self, contest: Contest, voter_key: bytes) -> _Checker:
        return _Checker(contest, voter_key, self._on_the_ballot(contest))

    def _batch(self, slug: str, batch: str) -> BallotBatch | None:
        found: BallotBatch | None = self.store.existing(batch_id(slug, batch))
        return found

    def _on_the_ballot(self, contest: Contest) -> set[tuple[str, str]]:
        """(nomination, submission) a voter may choose: what judging put on the ballot (its
        shortlist, or its winners when `voting.ballot` says so), or every admitted submission when
        the contest has no judging."""
        if contest.judging is not None:
            return {(n, ref) for n, refs in contest.judging.shortlist.items() for ref in refs}
        admitted = self.reads.admitted_entries(contest.slug)
        return {(nomination, ref) for ref, (nomination, _) in admitted.items()}


CAST_TOPIC = topic_of(Ballot.Cast)
BALLOT_TOPIC = get_topic(Ballot)


class _Checked(NamedTuple):
    accepted: list[tuple[tuple[str, ...], str, BallotInput, int]]  # slots, voter, ballot, index
    rejections: list[tuple[int, Rejection]]
    envelope: bytes
    tail: bytes

    def state(self, row: BallotInput, voter: str) -> bytes:
        """The `Ballot.Cast` state as the mapper would store it: this runs a million times, so no
        event object is built and what every ballot of the batch shares (its time, its actor, its
        contest; its batch and version) is serialised once, in `envelope` and `tail` (a test holds
        the two equal)."""
        return self.envelope + to_json({"nomination": row.nomination, "voter": voter,
                                        "submission": row.submission, "region": row.region})[1:-1] + self.tail

    def slots(self) -> list[str]:
        return list({slot for slots, *_ in self.accepted for slot in slots})


class _Checker:
    """The rules a ballot must meet, prepared once per batch so each ballot costs microseconds."""

    def __init__(self, contest: Contest, voter_key: bytes, on_the_ballot: set[tuple[str, str]]) -> None:
        self.slug = contest.slug
        self.stage = Stage.of(contest.spec)
        self.key = voter_key
        now = datetime.now(UTC)
        # A close the worker has not recorded yet (it was down at the deadline) opens nothing.
        self.open = contest.phase == Phase.VOTING and not contest.deadline_passed(Phase.VOTING, now)
        spec = contest.spec
        self.nominations = {n.code for n in spec.nominations}
        self.shortlist = on_the_ballot
        self.now = to_jsonable_python(now)
        self.per_voter = spec.voting.ballots_per_voter_per_nomination
        self.voter_rule = spec.voting.voter_ids

    def check(self, ballots: Iterable[BallotInput], actor: Actor, batch: str) -> _Checked:
        accepted, rejections = [], []
        for index, row in enumerate(ballots):
            spelled = normalise_voter_id(row.voter, self.voter_rule)
            voter = voter_pseudonym(self.key, spelled)
            reason = self._refusal(row) or (None if spelled else NO_VOTER_ID)
            if reason is None:
                accepted.append((self._slots(row.nomination, voter), voter, row, index))
            else:
                rejections.append((index, _rejection(row, voter, reason)))
        shared = to_json({"timestamp": self.now, "originator_topic": BALLOT_TOPIC,
                          "actor": actor.model_dump(mode="json"), "contest": self.slug})
        tail = b"," + to_json({"batch": batch, "class_version": Ballot.Cast.class_version})[1:]
        return _Checked(accepted, rejections, shared[:-1] + b",", tail)

    def _slots(self, nomination: str, voter: str) -> tuple[str, ...]:
        return ballot_slots(self.slug, nomination, voter, self.per_voter)

    def _refusal(self, row: BallotInput) -> str | None:
        if not self.open:
            return OUTSIDE_WINDOW
        if row.nomination not in self.nominations:
            return UNKNOWN_NOMINATION
        if (row.nomination, row.submission) not in self.shortlist:
            return NOT_SHORTLISTED
        if row.region not in REGION_CODES:
            return UNKNOWN_REGION
        return None


def ballot_slots(slug: str, nomination: str, voter: str, per_voter: int) -> tuple[str, ...]:
    """The ids a voter's ballots in a nomination may take (`voter` is the pseudonym): one per
    allowed ballot. A receipt finds the voter's ballots by them."""
    first = ballot_hex(slug, nomination, voter)
    if per_voter == 1:
        return (first,)
    return (first, *(ballot_hex(slug, nomination, f"{voter}#{n}") for n in range(2, per_voter + 1)))


def _rejection(row: BallotInput, voter: str, reason: str) -> Rejection:
    return Rejection(label=row.label, voter=voter, nomination=row.nomination,
                     submission=row.submission, reason=reason)


def _outcome(batch: BallotBatch, repeated: bool = False) -> BatchOutcome:
    return BatchOutcome(batch=batch.batch, sent=batch.sent, accepted=batch.accepted,
                        rejected=dict(Counter(r.reason for r in batch.rejections)),
                        repeated=repeated)


def _content_id(slug: str, ballots: Sequence[BallotInput]) -> str:
    digest = hashlib.sha256(slug.encode())
    for row in ballots:
        digest.update("\x1f".join((row.voter, row.nomination, row.submission, row.region)).encode()
                      + b"\x1e")
    return digest.hexdigest()[:32]
