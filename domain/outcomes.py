"""Values that phase outcomes record: what screening, judging, the vote and the results decided."""

from __future__ import annotations

from pydantic import Field

from domain.model import Value


class ScreeningOutcome(Value):
    collection_closed_at: int = Field(description="Log position of the event that closed collection")
    admitted: int
    rejected: dict[str, int] = Field(description="Rejections counted by reason")


class RankedEntry(Value):
    reference: str
    place: int
    score: float
    reviews: int
    settled_by: str | None = Field(
        default=None, description="Tie-break step that put this entry below the one above it"
    )


class NominationRanking(Value):
    nomination: str
    entries: list[RankedEntry]
    unreviewed: list[str] = Field(default_factory=list)


class JudgingOutcome(Value):
    judging_closed_at: int
    reviews_counted: int
    reviews_late: int
    rankings: list[NominationRanking]
    shortlist: dict[str, list[str]]

    def ranking(self, nomination: str) -> NominationRanking | None:
        return next((r for r in self.rankings if r.nomination == nomination), None)


class VoteTally(Value):
    voting_closed_at: int
    accepted: int
    late: int
    by_submission: dict[str, dict[str, int]] = Field(description="nomination → reference → votes")
    by_region: dict[str, dict[str, dict[str, int]]] = Field(
        description="region → nomination → reference → votes"
    )


class Standing(Value):
    nomination: str
    place: int
    reference: str
    score: float
    votes: int = 0


class ContestResults(Value):
    winners: list[Standing]
    people_choice: list[Standing] = Field(default_factory=list)
