"""An acceptance: the signed record of one intake command's events (see `domain.rules.acceptance`)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from domain.ids import business_id
from domain.model import Aggregate


class IntakeKind(StrEnum):
    SUBMISSIONS = "submissions"
    CARDS = "cards"
    MATERIALS = "materials"
    BALLOTS = "ballots"


class Acceptance(Aggregate):
    if TYPE_CHECKING:  # the @event decorator below creates this class
        Recorded: ClassVar[type[Aggregate.Event]]

    @event("Recorded")
    def __init__(self, contest: str, kind: IntakeKind, count: int, digest: str, attestation: str) -> None:
        self.contest = contest
        self.kind = kind
        self.count = count
        self.digest = digest
        self.attestation = attestation

    @staticmethod
    def create_id(contest: str, kind: str, digest: str, **_: Any) -> Any:
        return business_id("acceptance", contest, kind, digest)
