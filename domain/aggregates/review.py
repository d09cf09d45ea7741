"""A review: one expert's scorecard for one submission. Revisions stay in the log."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from domain.ids import review_id
from domain.model import Aggregate


class Review(Aggregate):
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
