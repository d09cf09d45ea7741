"""A batch of ballots handed over by a portal or an import: what it brought and what was refused.

Accepted ballots are `Ballot.Cast` events of their own; the batch records the refusals with
their reasons, so accepted + rejected always equals what was sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from domain.ids import business_id
from domain.model import Aggregate, Value


class Rejection(Value):
    label: str
    voter: str
    nomination: str
    submission: str
    reason: str


def batch_id(slug: str, batch: str) -> Any:
    return business_id("ballot-batch", slug, batch)


class BallotBatch(Aggregate):
    if TYPE_CHECKING:  # the @event decorator below creates this class
        Received: ClassVar[type[Aggregate.Event]]

    @event("Received")
    def __init__(
        self, contest: str, batch: str, sent: int, accepted: int, rejections: list[Rejection]
    ) -> None:
        self.contest = contest
        self.batch = batch
        self.sent = sent
        self.accepted = accepted
        self.rejections = rejections

    @staticmethod
    def create_id(contest: str, batch: str, **_: Any) -> Any:
        return batch_id(contest, batch)
