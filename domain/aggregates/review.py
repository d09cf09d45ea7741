"""A review: one expert's scorecard for one submission. Revisions stay in the log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from domain.ids import review_id
from domain.model import Aggregate


class Review(Aggregate):
    if TYPE_CHECKING:  # the @event decorators below create these classes
        Scored: ClassVar[type[Aggregate.Event]]
        Rescored: ClassVar[type[Aggregate.Event]]

    @event("Scored")
    def __init__(
        self, contest: str, submission: str, nomination: str, expert: str,
        scores: dict[str, float],
    ) -> None:
        self.contest = contest
        self.submission = submission
        self.nomination = nomination
        self.expert = expert
        self.scores = scores

    @staticmethod
    def create_id(contest: str, submission: str, expert: str, **_: Any) -> Any:
        return review_id(contest, submission, expert)

    @event("Rescored")
    def rescore(self, scores: dict[str, float]) -> None:
        self.scores = scores
