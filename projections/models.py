"""What queries return: frozen pydantic models, safe to print or serialise as JSON."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from domain.aggregates.submission import Provenance


class ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True)


class ContestSummary(ReadModel):
    slug: str
    title: str
    level: str
    region: str | None
    phase: str
    cancelled_reason: str | None
    submissions: int
    admitted: int
    rejected: int
    withdrawn: int
    reviews: int
    ballots: int
    drafts: int = 0  # saved and not filed: neither screened nor counted among submissions

    @computed_field  # type: ignore[prop-decorator]
    @property
    def screened(self) -> int:
        return self.admitted + self.rejected


class Rejection(ReadModel):
    reference: str
    reason: str | None


class Deadline(ReadModel):
    phase: str
    closes_at: datetime
    extensions: int


class NominationCount(ReadModel):
    code: str
    title: str
    submissions: int
    admitted: int


class RegionCount(ReadModel):
    code: str
    name: str | None
    submissions: int
    admitted: int


class Board(ContestSummary):
    deadlines: list[Deadline]
    by_nomination: list[NominationCount]
    by_region: list[RegionCount]
    rejections: list[Rejection] = []  # each rejected submission with its reason, in order


class Entry(ReadModel):
    """A submission as results show it: its reference with its title, applicant and region."""

    reference: str
    title: str | None
    applicant: str | None
    region: str | None
    region_name: str | None
    provenance: Provenance | None = None
    nominee: str | None = Field(default=None, description="A personal nomination's person: name, position")


class RankedEntry(Entry):
    place: int
    score: float
    reviews: int
    settled_by: str | None
    shortlisted: bool
    raw_score: float | None = None
    disagreement: bool = False


class Placing(Entry):
    place: int
    score: float
    votes: int


class NominationResults(ReadModel):
    code: str
    title: str
    agreement: float | None = None
    under_reviewed: dict[str, int] = {}
    ranking: list[RankedEntry]
    winners: list[Placing]
    people_choice: list[Placing]


class Results(ReadModel):
    slug: str
    title: str
    judged: bool
    declared: bool
    published: bool
    normalisation: str | None = None
    sealed_position: int | None = None
    sealed_head: str | None = None
    leniency: dict[str, float] = {}
    nominations: list[NominationResults]


class Tally(ReadModel):
    """The vote as the tally view counts it; the same shape as the recount's `VoteTally`."""

    slug: str
    accepted: int
    late: int
    rejected: dict[str, int]
    by_submission: dict[str, dict[str, int]]
    by_region: dict[str, dict[str, dict[str, int]]]


class Wanted(ReadModel):
    nomination: str
    nomination_title: str
    reference: str
    title: str | None
    votes: int
    share: float


class RegionDemand(ReadModel):
    """Which practices a region's citizens want: the point of the vote in Smart Dialog."""

    region: str
    name: str | None
    ballots: int
    wanted: list[Wanted]
