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
from json.encoder import encode_basestring as _json
from typing import NamedTuple

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain.aggregates import Ballot, Contest
from domain.aggregates.ballot_batch import BallotBatch, Rejection, batch_id
from domain.application import collector_paused, topic_of
from domain.ballot_store import insert_new
from domain.errors import BallotRefused, DuplicateBallot
from domain.ids import ballot_hex
from domain.intake import IntakeCommands, Labelled
from domain.judging_reads import JudgingReads
from domain.model import Value
from domain.phases import Phase
from domain.regions import REGION_CODES

ALREADY_VOTED = "already voted in this nomination"
OUTSIDE_WINDOW = "outside the voting window"
NOT_SHORTLISTED = "submission not on the shortlist"
UNKNOWN_NOMINATION = "unknown nomination"
UNKNOWN_REGION = "unknown region"


class BallotInput(NamedTuple):
    """One ballot as a portal hands it over. `voter` is the person's id and is never stored;
    `label` says where the ballot came from (`file:line`, an item number) and is stored with a
    refusal, so it must not carry the voter's id."""

    voter: str
    nomination: str
    submission: str
    region: str
    label: str = ""


class BatchOutcome(Value):
    batch: str
    sent: int
    accepted: int
    rejected: dict[str, int]
    repeated: bool = False


def voter_pseudonym(key: bytes, voter: str) -> str:
    return hmac.digest(key, voter.encode(), "sha256").hex()


class BallotIntake(IntakeCommands, JudgingReads):
    def cast_ballots(self, slug: str, forms: Labelled, voter_key: bytes) -> int:
        """An operator's file of ballots: any refusal stops it and nothing is written."""
        self.open_contest(slug, Phase.VOTING, "ballots")
        ballots = [BallotInput(f.voter, f.nomination, f.submission, f.region, where)
                   for where, f in forms]
        return self.cast_ballot_batch(slug, ballots, voter_key, strict=True).accepted

    def cast_ballot_batch(
        self, slug: str, ballots: Sequence[BallotInput], voter_key: bytes,
        batch: str | None = None, *, strict: bool = False,
    ) -> BatchOutcome:
        """Record a batch: accepted ballots as events, refusals with their reasons.

        The same batch id again records nothing and returns the first outcome. With
        `strict`, any refusal raises instead and nothing is written (an operator's file).
        """
        batch = batch or _content_id(slug, ballots)
        previous = self._batch(slug, batch)
        if previous is not None:
            return _outcome(previous, repeated=True)
        contest = self.get_contest(slug)
        with collector_paused():
            return self._record_batch(contest, ballots, voter_key, batch, strict)

    def _record_batch(
        self, contest: Contest, ballots: Sequence[BallotInput], voter_key: bytes, batch: str,
        strict: bool,
    ) -> BatchOutcome:
        slug = contest.slug
        checked = _Checker(contest, voter_key, self._on_the_ballot(contest)).check(ballots)
        outcome: list[BatchOutcome] = []

        def build(existing: set[str]) -> list[StoredEvent]:
            """Give each ballot its voter's first free slot in the nomination, in batch order."""
            refused = list(checked.rejections)
            events: list[StoredEvent] = []
            seal = self.mapper.seal  # type: ignore[attr-defined]
            taken = existing
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
            if strict and rejections:
                first = rejections[0]
                refusal = DuplicateBallot if first.reason == ALREADY_VOTED else BallotRefused
                raise refusal(f"{first.label}: {first.reason} (nomination {first.nomination}, "
                              f"submission {first.submission})")
            record = BallotBatch(contest=slug, batch=batch, sent=len(ballots),
                                 accepted=len(events), rejections=rejections)
            outcome.append(_outcome(record))
            return [*events, *map(self.mapper.to_stored_event, record.collect_events())]

        insert_new(self.recorder, list({s for slots, *_ in checked.accepted for s in slots}), build)
        return outcome[0]

    def _batch(self, slug: str, batch: str) -> BallotBatch | None:
        try:
            found: BallotBatch = self.repository.get(batch_id(slug, batch))
        except AggregateNotFoundError:
            return None
        return found

    def _on_the_ballot(self, contest: Contest) -> set[tuple[str, str]]:
        """(nomination, submission) a voter may choose: the experts' shortlist, or every admitted
        submission when the contest has no judging."""
        if contest.judging is not None:
            return {(n, ref) for n, refs in contest.judging.shortlist.items() for ref in refs}
        return {(nomination, ref) for ref, (nomination, _) in self.admitted_entries(contest.slug).items()}


CAST_TOPIC = topic_of(Ballot.Cast)
BALLOT_TOPIC = get_topic(Ballot)


class _Checked(NamedTuple):
    accepted: list[tuple[tuple[str, ...], str, BallotInput, int]]  # slots, voter, ballot, index
    rejections: list[tuple[int, Rejection]]
    prefix: str

    def state(self, row: BallotInput, voter: str) -> bytes:
        """The `Ballot.Cast` state as JSON, written out directly: this runs a million times."""
        return (f'{self.prefix}"nomination":{_json(row.nomination)},"voter":"{voter}",'
                f'"submission":{_json(row.submission)},"region":{_json(row.region)}}}').encode()


class _Checker:
    """The rules a ballot must meet, prepared once per batch so each ballot costs microseconds."""

    def __init__(
        self, contest: Contest, voter_key: bytes, on_the_ballot: set[tuple[str, str]]
    ) -> None:
        self.slug = contest.slug
        self.key = voter_key
        self.open = contest.phase == Phase.VOTING
        spec = contest.spec
        self.nominations = {n.code for n in spec.nominations}
        self.shortlist = on_the_ballot
        self.now = datetime.now(UTC).isoformat()
        self.per_voter = spec.voting.ballots_per_voter_per_nomination

    def check(self, ballots: Iterable[BallotInput]) -> _Checked:
        accepted, rejections = [], []
        for index, row in enumerate(ballots):
            voter = voter_pseudonym(self.key, row.voter)
            reason = self._refusal(row)
            if reason is None:
                accepted.append((self._slots(row.nomination, voter), voter, row, index))
            else:
                rejections.append((index, _rejection(row, voter, reason)))
        prefix = (f'{{"timestamp":"{self.now}","originator_topic":"{BALLOT_TOPIC}",'
                  f'"contest":{_json(self.slug)},')
        return _Checked(accepted, rejections, prefix)

    def _slots(self, nomination: str, voter: str) -> tuple[str, ...]:
        """The ids a voter's ballots in a nomination may take: one per allowed ballot."""
        first = ballot_hex(self.slug, nomination, voter)
        if self.per_voter == 1:
            return (first,)
        return (first, *(ballot_hex(self.slug, nomination, f"{voter}#{n}")
                         for n in range(2, self.per_voter + 1)))

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
        digest.update("\x1f".join(row[:4]).encode() + b"\x1e")
    return digest.hexdigest()[:32]
