"""The participation drive: how many submissions each region should bring, and when to check."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from domain.regions import RegionCode
from domain.spec.base import SpecModel
from domain.spec.schedule import Moment


class Target(SpecModel):
    """Exactly one of: an absolute count, or a count per 100 of the region's municipalities."""

    absolute: int | None = Field(default=None, ge=1)
    per_100_municipalities: float | None = Field(default=None, gt=0)
    counts: Literal["submissions", "practices", "initiatives"] = Field(
        default="submissions",
        description="What the target counts: every submission, or only those in nominations of "
        "kind practice, or of kind initiative",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        if (self.absolute is None) == (self.per_100_municipalities is None):
            raise ValueError("give exactly one of absolute or per_100_municipalities")
        return self


class ReviewSchedule(SpecModel):
    """When, during collection, the drive checks who lags: on dates, every N days, or both."""

    every_days: int | None = Field(default=None, ge=1)
    dates: list[Moment] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something(self) -> ReviewSchedule:
        if self.every_days is None and not self.dates:
            raise ValueError("give every_days, dates, or both")
        return self


class Participation(SpecModel):
    target: Target
    regions: dict[RegionCode, Target] = Field(
        default_factory=dict, description="Per-region targets that replace the general one"
    )
    review: ReviewSchedule
    report_by: Moment | None = Field(
        default=None, description="The date by which the municipalities of the regions found lagging "
        "report, in writing, on the work done; not the close of collection. Each review carries it; "
        "a review after it lists the reports still missing."
    )
