"""A batch of ballots handed over by a portal or an import: what it brought and what was refused.

Accepted ballots are `Ballot.Cast` events of their own, written just before the batch's record;
the record holds the refusals with their reasons, so accepted + rejected always equals what was
sent, and signs what it accepted.
"""

from __future__ import annotations

from typing import Any, ClassVar

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
    class Received(Aggregate.Created):
        """v2 is an acceptance (`domain.rules.acceptance`): the digest of the ballots it accepted,
        which precede it in the log, and the deployment's signature."""

        class_version: ClassVar[int] = 2
        contest: str
        batch: str
        sent: int
        accepted: int
        rejections: list[Rejection]
        digest: str | None
        attestation: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["digest"] = state["attestation"] = None

    @event(Received)
    def __init__(
        self, contest: str, batch: str, sent: int, accepted: int, rejections: list[Rejection],
        digest: str | None = None, attestation: str | None = None,
    ) -> None:
        self.contest = contest
        self.batch = batch
        self.sent = sent
        self.accepted = accepted
        self.rejections = rejections
        self.digest = digest
        self.attestation = attestation

    @staticmethod
    def create_id(contest: str, batch: str, **_: Any) -> Any:
        return batch_id(contest, batch)
