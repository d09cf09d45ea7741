"""What an audit report reads of one contest from the log: the operators' commands in order with
who sent each, the seals its results recorded, who recorded each expert's cards, and every
rejection counted by reason.

Two passes: the contest's own events, then its panels', submissions' and ballot batches'.
Ballots themselves are never decoded: their refusals are in the batches and their lateness in
the recorded tally.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from domain.actors import Actor, ActorKind
from domain.aggregates import Contest, Judging, Review, Submission
from domain.aggregates.ballot_batch import BallotBatch
from domain.aggregates.erasure import Erasure
from domain.model import Value
from domain.outcomes import Seal
from services.contest_record import ContestRecord, read_contest_record
from store.application import StoreApplication
from store.log import LoggedEvent, topic_of

CommandKind = Literal["announcement", "extension", "early close", "deadline", "cancellation",
                      "recusal", "publication", "promotion refused", "erasure"]


class OperatorCommand(Value):
    position: int = Field(description="Log position of the event that recorded it")
    at: datetime = Field(description="When it was recorded")
    kind: CommandKind = Field(description="'deadline' is a phase the clock closed, listed so the "
                                          "timeline is complete; 'early close' is an operator's")
    phase: str | None = None
    reason: str | None = None
    details: dict[str, str] = Field(default_factory=dict)
    command_id: str | None = None
    actor: Actor | None = Field(default=None, description="Who sent it; None before actors were "
                                "recorded")


class CardAuthorship(Value):
    """One expert's scorecards in the log, and who recorded them."""

    expert: str
    cards: int = Field(description="Scorecards and revisions recorded for this expert")
    recorded_by: list[str] = Field(description="Each actor who recorded them, described")
    by_the_expert: bool = Field(description="Every one was recorded by the expert themselves")


class RecordedSeal(Value):
    """The seal of one results event: the chain head and rules it was decided under."""

    event: str
    position: int
    at: datetime
    seal: Seal


class RejectionCounts(Value):
    submissions_by_kind: dict[str, int] | None = Field(
        description="As screening recorded them; None before screening concluded")
    submissions_by_reason: dict[str, int] = Field(description="Each rejected submission's reason")
    reviews_late: int | None = Field(description="As judging recorded it; None before")
    ballots_by_reason: dict[str, int] = Field(description="Refusals in the ballot batches")
    ballots_late: int | None = Field(description="As the tally recorded it; None before")


class AuditRecord(Value):
    commands: list[OperatorCommand]
    seals: list[RecordedSeal]
    cards: list[CardAuthorship]
    rejections: RejectionCounts


_ANNOUNCED, _EXTENDED, _CHANGED, _CANCELLED, _PUBLISHED, _REFUSED = (topic_of(c) for c in (
    Contest.Announced, Contest.DeadlineExtended, Contest.PhaseChanged, Contest.Cancelled,
    Contest.ResultsPublished, Contest.PromotionRefused))
_OPENED, _RECUSED = topic_of(Judging.Opened), topic_of(Judging.Recused)
_ERASED = topic_of(Erasure.Recorded)
_SUBMITTED, _REJECTED = topic_of(Submission.Submitted), topic_of(Submission.Rejected)
_SCORED, _RESCORED = topic_of(Review.Scored), topic_of(Review.Rescored)
_BATCH = topic_of(BallotBatch.Received)


class AuditRecords:
    """What an audit report lists: commands, seals and rejections, in log order."""

    def __init__(self, store: StoreApplication) -> None:
        self.store = store

    def audit_record(self, slug: str) -> AuditRecord:
        """Raises UnknownContest for a slug never announced."""
        record = read_contest_record(self.store, slug)
        reading = _Reading(slug)
        topics = [_OPENED, _RECUSED, _SUBMITTED, _REJECTED, _BATCH, _SCORED, _RESCORED, _ERASED]
        for logged in self.store.read_log(topics):
            reading.take(logged)
        commands = [command for event in record.events if (command := _contest_command(event))]
        return AuditRecord(
            commands=sorted(commands + reading.recusals + reading.erasures, key=lambda c: c.position),
            seals=[RecordedSeal(event=_event_name(event.topic), position=event.position,
                                at=_moment(event), seal=seal)
                   for event, seal in record.seals() if seal is not None],
            cards=reading.card_authors(),
            rejections=_counts(record, reading),
        )


class _Reading:
    """Recusals in this contest's panels and refusals of its submissions and ballots."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.judgings: set[UUID] = set()
        self.submissions: set[UUID] = set()
        self.recusals: list[OperatorCommand] = []
        self.erasures: list[OperatorCommand] = []
        self.submission_reasons: Counter[str] = Counter()
        self.ballot_reasons: Counter[str] = Counter()
        self.reviews: dict[UUID, str] = {}
        self.cards: dict[str, Counter[Actor | None]] = {}

    def take(self, logged: LoggedEvent) -> None:
        topic, state = logged.topic, logged.state
        if topic == _OPENED and state["contest"] == self.slug:
            self.judgings.add(logged.originator_id)
        elif topic == _RECUSED and logged.originator_id in self.judgings:
            self.recusals.append(_command(
                logged, "recusal", reason=state["reason"],
                details={"submission": state["submission"], "expert": state["expert"]}))
        elif topic == _SUBMITTED and state["contest"] == self.slug:
            self.submissions.add(logged.originator_id)
        elif topic == _ERASED and state["contest"] == self.slug:
            self.erasures.append(_command(logged, "erasure", reason=state["reason"],
                                          details={"person": state["person"], "request": state["request"]}))
        elif topic == _REJECTED and logged.originator_id in self.submissions:
            self.submission_reasons[state["reason"]] += 1
        elif topic == _BATCH and state["contest"] == self.slug:
            self.ballot_reasons.update(r["reason"] for r in state["rejections"])
        elif topic == _SCORED and state["contest"] == self.slug:
            self.reviews[logged.originator_id] = state["expert"]
            self._card(state["expert"], state)
        elif topic == _RESCORED and logged.originator_id in self.reviews:
            self._card(self.reviews[logged.originator_id], state)

    def _card(self, expert: str, state: dict[str, Any]) -> None:
        actor = Actor.model_validate(state["actor"]) if state.get("actor") else None
        self.cards.setdefault(expert, Counter())[actor] += 1

    def card_authors(self) -> list[CardAuthorship]:
        return [
            CardAuthorship(
                expert=expert, cards=by.total(),
                recorded_by=sorted(a.describe() if a else "not recorded" for a in by),
                by_the_expert=all(a is not None and a.kind == ActorKind.EXPERT and a.id == expert
                                  for a in by))
            for expert, by in sorted(self.cards.items())
        ]


def _contest_command(logged: LoggedEvent) -> OperatorCommand | None:
    topic, state = logged.topic, logged.state
    if topic == _ANNOUNCED:
        return _command(logged, "announcement", details={"spec hash": state["fingerprint"]})
    if topic == _EXTENDED:
        return _command(logged, "extension", phase=state["phase"], reason=state["reason"],
                        details={"previous": _iso(state["previous"]), "new": _iso(state["closes_at"])})
    if topic == _CHANGED:
        early = state["cause"] == "operator"
        return _command(logged, "early close" if early else "deadline", phase=state["closed"],
                        reason=state["reason"],
                        details={"opened": state["opened"], "cause": state["cause"]})
    if topic == _CANCELLED:
        return _command(logged, "cancellation", phase=state["in_phase"], reason=state["reason"])
    if topic == _REFUSED:
        return _command(logged, "promotion refused", reason=state["reason"],
                        details={"federal stage": state["federal"]})
    if topic == _PUBLISHED:
        return _command(logged, "publication")
    return None


def _command(logged: LoggedEvent, kind: CommandKind, phase: str | None = None,
             reason: str | None = None, details: dict[str, str] | None = None) -> OperatorCommand:
    actor = logged.state.get("actor")
    return OperatorCommand(position=logged.position, at=_moment(logged), kind=kind, phase=phase,
                           reason=reason or None, details=details or {},
                           command_id=logged.state.get("command_id"),
                           actor=Actor.model_validate(actor) if actor else None)


def _counts(record: ContestRecord, reading: _Reading) -> RejectionCounts:
    screening, judging, tally = record.screening(), record.judging(), record.tally()
    return RejectionCounts(
        submissions_by_kind=None if screening is None else screening[1].rejected,
        submissions_by_reason=dict(sorted(reading.submission_reasons.items())),
        reviews_late=None if judging is None else judging[1].reviews_late,
        ballots_by_reason=dict(sorted(reading.ballot_reasons.items())),
        ballots_late=None if tally is None else tally[1].late,
    )


def _event_name(topic: str) -> str:
    """`domain.aggregates.contest:Contest.VotesTallied` → `Contest.VotesTallied`."""
    return topic.rsplit(":", 1)[-1]


def _iso(moment: str) -> str:
    return datetime.fromisoformat(moment).isoformat()


def _moment(logged: LoggedEvent) -> datetime:
    return datetime.fromisoformat(logged.state["timestamp"])
