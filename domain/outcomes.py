"""Values that phase outcomes record: what screening, judging, the vote and the results decided."""

from __future__ import annotations

from pydantic import Field

from domain.model import Value
from domain.rules.anomalies import Anomaly


class Seal(Value):
    """What a results event was decided under: the chain head when it was recorded (so a later
    rewrite of the log shows), the spec in force and the version of the rules."""

    chain_position: int = Field(description="Last log position linked when the result was recorded")
    chain_head: str = Field(description="The chain link at that position, hex")
    spec_hash: str = Field(description="Fingerprint of the spec in force")
    rules_version: str
    rules_code: str = Field(description="Fingerprint of the rule modules' source")


class ScreeningOutcome(Value):
    collection_closed_at: int = Field(description="Log position of the event that closed collection")
    admitted: int
    rejected: dict[str, int] = Field(description="Rejections counted by reason")
    seal: Seal | None = Field(default=None, description="Chain head and rule versions; None in old records")


class RankedEntry(Value):
    reference: str
    place: int
    score: float = Field(description="The normalised score that ranks")
    reviews: int
    settled_by: str | None = Field(
        default=None, description="Tie-break step that put this entry below the one above it"
    )
    raw_score: float | None = None
    spread: float = Field(default=0, description="Highest minus lowest card score")
    disagreement: bool = Field(default=False, description="Spread above the spec's threshold")
    fallback_experts: list[str] = Field(
        default_factory=list, description="z-score: experts whose cards here stayed raw"
    )
    trimmed: bool = False


class NominationRanking(Value):
    nomination: str
    entries: list[RankedEntry]
    unreviewed: list[str] = Field(default_factory=list)
    under_reviewed: dict[str, int] = Field(
        default_factory=dict, description="Below the minimum reviews: flagged, not ranked"
    )
    agreement: float | None = Field(
        default=None, description="Krippendorff's alpha (interval) of the cards in this nomination"
    )


class JudgingOutcome(Value):
    judging_closed_at: int
    reviews_counted: int
    reviews_late: int
    rankings: list[NominationRanking]
    shortlist: dict[str, list[str]]
    normalisation: str = "raw"
    leniency: dict[str, float] = Field(
        default_factory=dict, description="Per expert: mean offset from the other cards"
    )
    seal: Seal | None = Field(default=None, description="Chain head and rule versions; None in old records")

    def ranking(self, nomination: str) -> NominationRanking | None:
        return next((r for r in self.rankings if r.nomination == nomination), None)


class VoteTally(Value):
    voting_closed_at: int
    accepted: int
    late: int = Field(description="Ballots recorded after the close: never counted")
    rejected: dict[str, int] = Field(default_factory=dict, description="Refusals by reason")
    anomalies: list[Anomaly] = Field(
        default_factory=list, description="Bursts and implausible regional rates, for a person to judge"
    )
    by_submission: dict[str, dict[str, int]] = Field(description="nomination → reference → votes")
    by_region: dict[str, dict[str, dict[str, int]]] = Field(
        description="region → nomination → reference → votes"
    )
    seal: Seal | None = Field(default=None, description="Chain head and rule versions; None in old records")


class Standing(Value):
    nomination: str
    place: int
    reference: str
    score: float
    votes: int = 0


class ContestResults(Value):
    winners: list[Standing]
    people_choice: list[Standing] = Field(default_factory=list)
    seal: Seal | None = Field(default=None, description="Chain head and rule versions; None in old records")
