"""The participation drive's rules: each region's target, the league table, the laggards, and the
moments collection is reviewed. Pure: the workflow, the review activity and the projection call
the same functions, so a review and the league an operator reads cannot disagree."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from pydantic import Field

from domain.model import Value
from domain.phases import Phase, PhasePlan
from domain.regions import region_name
from domain.spec import ContestSpec
from domain.spec.participation import Participation, Target


class RegionTally(NamedTuple):
    """What the log says of one region."""

    submissions: int = 0
    taking_part: int = 0  # distinct municipalities named by its submissions
    municipalities: int = 0  # size of its imported roster; 0 when none was imported


class RegionStanding(Value):
    """One line of the league table."""

    rank: int = Field(description="1 for the most submissions; equal counts share a rank")
    code: str
    name: str | None
    submissions: int
    target: int | None = Field(description="None: no target applies (a per-100 rule, no roster)")
    percent_of_target: float | None
    municipalities: int = Field(description="Municipalities on the region's roster")
    taking_part: int = Field(description="Municipalities with at least one submission")
    lagging: bool = Field(description="Below its target")


def region_target(participation: Participation | None, region: str, municipalities: int) -> int | None:
    """An absolute target, or ceil(k × municipalities / 100); a region's own target comes first."""
    if participation is None:
        return None
    target: Target = participation.regions.get(region, participation.target)
    if target.absolute is not None:
        return target.absolute
    if municipalities == 0 or target.per_100_municipalities is None:
        return None
    # Decimal: 1.1 × 1000 / 100 is 11, where binary floats give 11.000000000000002 → 12.
    return math.ceil(Decimal(str(target.per_100_municipalities)) * municipalities / 100)


def league(
    participation: Participation | None, tallies: Mapping[str, RegionTally], regions: Iterable[str]
) -> list[RegionStanding]:
    """Every region in `regions` and every region with a tally, most submissions first."""
    codes = sorted(set(regions) | set(tallies), key=lambda c: (-tallies.get(c, RegionTally())[0], c))
    standings: list[RegionStanding] = []
    for position, code in enumerate(codes, start=1):
        tally = tallies.get(code, RegionTally())
        tied = standings and standings[-1].submissions == tally.submissions
        target = region_target(participation, code, tally.municipalities)
        standings.append(RegionStanding(
            rank=standings[-1].rank if tied else position, code=code,
            name=region_name(code), submissions=tally.submissions,
            target=target,
            percent_of_target=None if target is None else round(100 * tally.submissions / target, 1),
            municipalities=tally.municipalities, taking_part=tally.taking_part,
            lagging=target is not None and tally.submissions < target,
        ))
    return standings


def laggards(standings: Iterable[RegionStanding]) -> list[RegionStanding]:
    """The regions below target, furthest behind (smallest share of target) first."""
    behind = [s for s in standings if s.lagging]
    return sorted(behind, key=lambda s: (s.submissions / (s.target or 1), s.code))


def review_moments(
    dates: Iterable[datetime], every_days: int | None, opens: datetime, closes: datetime
) -> list[datetime]:
    """The given moments and every N days from `opens`, kept only strictly inside collection."""
    moments = set(dates)
    if every_days is not None:
        step = timedelta(days=every_days)
        moment = opens + step
        while moment < closes:
            moments.add(moment)
            moment += step
    return sorted(m for m in moments if opens < m < closes)


def scheduled_reviews(spec: ContestSpec, plan: PhasePlan) -> list[datetime]:
    """The review moments of a contest as its plan stands; bare dates mean the day's start."""
    if spec.participation is None:
        return []
    review = spec.participation.review
    return review_moments(
        [spec.local_moment(d, end_of_day=False) for d in review.dates], review.every_days,
        opens=plan.window(Phase.ANNOUNCED).closes_at, closes=plan.window(Phase.COLLECTING).closes_at,
    )


def report_deadline(spec: ContestSpec) -> datetime | None:
    """`report_by` as a moment: a bare date means by the end of that day."""
    participation = spec.participation
    if participation is None or participation.report_by is None:
        return None
    return spec.local_moment(participation.report_by, end_of_day=True)
