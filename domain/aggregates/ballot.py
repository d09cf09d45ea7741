"""A ballot: one voter's choice in one nomination. The voter is a keyed pseudonym, never an id."""

from __future__ import annotations

from typing import Any, ClassVar

from eventsourcing.domain import event

from domain.ids import ballot_id
from domain.model import Aggregate


class Ballot(Aggregate):
    class Cast(Aggregate.Created):
        """v2 names the batch (or the single request) that accepted the ballot."""

        class_version: ClassVar[int] = 2
        contest: str
        nomination: str
        voter: str
        submission: str
        region: str
        batch: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["batch"] = None

    @event(Cast)
    def __init__(
        self, contest: str, nomination: str, voter: str, submission: str, region: str,
        batch: str | None = None,
    ) -> None:
        self.contest = contest
        self.nomination = nomination
        self.voter = voter
        self.submission = submission
        self.region = region
        self.batch = batch

    @staticmethod
    def create_id(contest: str, nomination: str, voter: str, **_: Any) -> Any:
        return ballot_id(contest, nomination, voter)
