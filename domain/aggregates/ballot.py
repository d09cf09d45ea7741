"""A ballot: one voter's choice in one nomination. The voter is a keyed pseudonym, never an id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from domain.ids import ballot_id
from domain.model import Aggregate


class Ballot(Aggregate):
    if TYPE_CHECKING:  # the @event decorators below create these classes
        Cast: ClassVar[type[Aggregate.Event]]

    @event("Cast")
    def __init__(
        self, contest: str, nomination: str, voter: str, submission: str, region: str
    ) -> None:
        self.contest = contest
        self.nomination = nomination
        self.voter = voter
        self.submission = submission
        self.region = region

    @staticmethod
    def create_id(contest: str, nomination: str, voter: str, **_: Any) -> Any:
        return ballot_id(contest, nomination, voter)
