"""What the participation queries return: the league table, days, municipalities and reviews."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from domain.rules.participation import (
    Measure,
    MunicipalityList,
    NamedMunicipality,
    RegionStanding,
    measured,
)
from domain.spec.participation import Participation as Drive
from projections.models import ReadModel, RegionCount


class RegionParticipation(RegionCount):
    """A line of the league table: the board's counts with the drive's target and rank."""

    rank: int
    target: int | None
    percent_of_target: float | None
    municipalities: int = Field(description="Municipalities on the region's roster")
    taking_part: int = Field(description="Municipalities with at least one submission")
    lagging: bool
    practices: int = Field(default=0, description="Submissions to nominations of kind practice")
    initiatives: int = Field(default=0, description="Submissions to nominations of kind initiative")
    counts: Measure = Field(default="submissions", description="What the region's target counts")
    silent: MunicipalityList | None = None

    @property
    def counted(self) -> int:
        """What the region's target counts."""
        return measured(self.counts, self.submissions, self.practices, self.initiatives)


class DayCount(ReadModel):
    day: date = Field(description="A day in the contest's timezone")
    submissions: int
    total: int = Field(description="Submissions up to the end of this day")


class MunicipalityCount(ReadModel):
    oktmo: str
    name: str | None = Field(description="None: named by submissions, not on the roster")
    submissions: int


class ParticipationReview(ReadModel):
    """One `Contest.ParticipationReviewed` event, as mailers receive it."""

    moment: datetime
    counted_to: int
    submissions: int
    report_by: datetime | None
    laggards: list[RegionStanding]
    missing_reports: list[MunicipalityList] | None = Field(
        default=None, description="After report_by: per region, the municipalities asked to report "
        "whose reports are still missing")


class Participation(ReadModel):
    slug: str
    submissions: int
    practices: int = 0
    initiatives: int = 0
    drive: Drive | None = Field(default=None, description="The spec's participation section")
    regions: list[RegionParticipation] = Field(description="The league table, most submissions first")
    days: list[DayCount] = Field(default_factory=list)
    reviews: list[ParticipationReview] = Field(default_factory=list)

    @property
    def lagging(self) -> list[RegionParticipation]:
        return [region for region in self.regions if region.lagging]


class RegionDetail(ReadModel):
    """One region: its line of the league, its municipalities (roster first) and its days."""

    slug: str
    region: RegionParticipation
    municipalities: list[MunicipalityCount]
    unnamed: int = Field(description="Submissions that name no municipality")
    days: list[DayCount]


class ReceivedReport(ReadModel):
    oktmo: str
    name: str | None
    received: date
    reference: str
    late: bool = Field(description="Received after report_by")


class RegionReports(ReadModel):
    """One region asked to report: a review up to report_by found it lagging."""

    code: str
    name: str | None
    asked: int = Field(description="Municipalities on its roster, all of them asked")
    received: list[ReceivedReport]
    missing: list[NamedMunicipality] = Field(description="Still to report: these are chased")


class MunicipalReports(ReadModel):
    slug: str
    report_by: datetime | None
    regions: list[RegionReports] = Field(description="The regions asked to report, by code")
    unasked: list[ReceivedReport] = Field(
        default_factory=list, description="Reports from municipalities of regions not asked")

    @property
    def missing(self) -> int:
        return sum(len(region.missing) for region in self.regions)
