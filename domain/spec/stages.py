"""How stages link up: a federal stage declares its regional stages, a regional one names its
federal stage and which of its places advance there."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from domain.regions import RegionCode
from domain.spec.base import SpecModel
from domain.spec.schedule import Schedule

Slug = str
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"


class Promotion(SpecModel):
    """On a regional stage: where its winners go once its results are published."""

    federal: Slug = Field(pattern=SLUG_PATTERN, description="The federal stage's slug")
    places: list[int] = Field(
        default=[1], min_length=1, description="Places that advance, in each nomination"
    )


class RegionalStages(SpecModel):
    """On a federal stage: the template each regional stage is announced from.

    `slug`, `title` and each organiser are templates: `{region}` is the region's code and
    `{region_name}` its name.
    """

    regions: list[RegionCode] | Literal["all"] = Field(min_length=1)
    slug: str = Field(min_length=1, description="e.g. social-services-2025-{region}")
    title: str = Field(min_length=1)
    organisers: list[str] = Field(min_length=1)
    timezone: str | None = Field(default=None, description="Default: each region's own")
    schedule: Schedule = Field(description="The regional stages' own dates")
    places: list[int] = Field(default=[1], min_length=1, description="Places that advance")
