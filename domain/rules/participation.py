"""The participation drive's rules: each region's target, the league table, the laggards, and the
moments collection is reviewed. Pure: the workflow, the review activity and the projection call
the same functions, so a review and the league an operator reads cannot disagree."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal, NamedTuple

from pydantic import Field

from domain.model import Value
from domain.phases import Phase, PhasePlan
from domain.regions import region_name
from domain.spec import ContestSpec
from domain.spec.participation import Participation, Target

Measure = Literal["submissions", "practices", "initiatives"]
# Names carried per region in a review event: a 2,000-municipality region that lags would
# otherwise put 2,000 names in every review; the count is always whole, the roster has the rest.
NAMED_AT_MOST = 50


class RegionTally(NamedTuple):
    """What the log says of one region."""

    submissions: int = 0
    taking_part: int = 0  # distinct municipalities named by its submissions
    municipalities: int = 0  # size of its imported roster; 0 when none was imported
    practices: int = 0  # submissions to nominations of kind practice
    initiatives: int = 0  # submissions to nominations of kind initiative

    def count(self, measure: Measure) -> int:
        return measured(measure, self.submissions, self.practices, self.initiatives)


def measured(measure: Measure, submissions: int, practices: int, initiatives: int) -> int:
    """The count a target of `measure` compares against."""
    return {"submissions": submissions, "practices": practices, "initiatives": initiatives}[measure]


class NamedMunicipality(Value):
    oktmo: str
    name: str


class MunicipalityList(Value):
    """Municipalities of one region picked out by a review: how many, and the first of them."""

    region: str
    name: str | None = Field(default=None, description="The region's name")
    count: int = Field(description="All of them, however many are named")
    named: list[NamedMunicipality] = Field(
        default_factory=list, description=f"The first {NAMED_AT_MOST} by OKTMO code")


def municipality_list(region: str, municipalities: Mapping[str, str]) -> MunicipalityList:
    """`municipalities` (OKTMO → name) as a bounded list, in OKTMO order."""
    codes = sorted(municipalities)
    return MunicipalityList(
        region=region, name=region_name(region), count=len(codes),
        named=[NamedMunicipality(oktmo=code, name=municipalities[code]) for code in codes[:NAMED_AT_MOST]])


def silent_municipalities(
    region: str, roster: Mapping[str, str], posted: Iterable[str]
) -> MunicipalityList:
    """The municipalities on a region's roster that have posted nothing the target counts."""
    done = set(posted)
    return municipality_list(region, {code: name for code, name in roster.items() if code not in done})


def missing_reports(
    owing: Mapping[str, Mapping[str, str]], reported: Iterable[str]
) -> list[MunicipalityList]:
    """Per region (region → OKTMO → name of the municipalities asked), those with no report yet."""
    received = set(reported)
    lists = [municipality_list(region, {c: n for c, n in roster.items() if c not in received})
             for region, roster in sorted(owing.items())]
    return [found for found in lists if found.count]


class RegionStanding(Value):
    """One line of the league table."""

    rank: int = Field(description="1 for the most of what the general target counts; equal counts "
                      "share a rank")
    code: str
    name: str | None
    submissions: int
    target: int | None = Field(description="None: no target applies (a per-100 rule, no roster)")
    percent_of_target: float | None
    municipalities: int = Field(description="Municipalities on the region's roster")
    taking_part: int = Field(description="Municipalities with at least one submission")
    lagging: bool = Field(description="Below its target")
    practices: int = Field(default=0, description="Submissions to nominations of kind practice")
    initiatives: int = Field(default=0, description="Submissions to nominations of kind initiative")
    counts: Measure = Field(default="submissions", description="What the region's target counts")
    silent: MunicipalityList | None = Field(
        default=None, description="In a review: the region's municipalities that have posted nothing "
        "its target counts (from its roster)")

    @property
    def counted(self) -> int:
        return measured(self.counts, self.submissions, self.practices, self.initiatives)


def region_rule(participation: Participation, region: str) -> Target:
    return participation.regions.get(region, participation.target)


def region_target(participation: Participation | None, region: str, municipalities: int) -> int | None:
    """An absolute target, or ceil(k × municipalities / 100); a region's own target comes first."""
    if participation is None:
        return None
    target = region_rule(participation, region)
    if target.absolute is not None:
        return target.absolute
    if municipalities == 0 or target.per_100_municipalities is None:
        return None
    # Decimal: 1.1 × 1000 / 100 is 11, where binary floats give 11.000000000000002 → 12.
    return math.ceil(Decimal(str(target.per_100_municipalities)) * municipalities / 100)


def league(
    participation: Participation | None, tallies: Mapping[str, RegionTally], regions: Iterable[str]
) -> list[RegionStanding]:
    """Every region in `regions` and every region with a tally, most of what the general target
    counts first."""
    ranked_on: Measure = "submissions" if participation is None else participation.target.counts
    codes = sorted(set(regions) | set(tallies),
                   key=lambda c: (-tallies.get(c, RegionTally()).count(ranked_on), c))
    standings: list[RegionStanding] = []
    for position, code in enumerate(codes, start=1):
        tally = tallies.get(code, RegionTally())
        tied = standings and tallies.get(standings[-1].code, RegionTally()).count(ranked_on) == \
            tally.count(ranked_on)
        target = region_target(participation, code, tally.municipalities)
        counts = ranked_on if participation is None else region_rule(participation, code).counts
        counted = tally.count(counts)
        standings.append(RegionStanding(
            rank=standings[-1].rank if tied else position, code=code,
            name=region_name(code), submissions=tally.submissions,
            practices=tally.practices, initiatives=tally.initiatives, counts=counts,
            target=target,
            percent_of_target=None if target is None else round(100 * counted / target, 1),
            municipalities=tally.municipalities, taking_part=tally.taking_part,
            lagging=target is not None and counted < target,
        ))
    return standings


def laggards(standings: Iterable[RegionStanding]) -> list[RegionStanding]:
    """The regions below target, furthest behind (smallest share of target) first."""
    behind = [s for s in standings if s.lagging]
    return sorted(behind, key=lambda s: (s.counted / (s.target or 1), s.code))


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
    """The review moments of a contest as its plan stands; bare dates mean the day's start. A plan
    moved as a whole (a rehearsal) moves the spec's review dates with it."""
    if spec.participation is None:
        return []
    review = spec.participation.review
    moved = _moved(spec, plan)
    return review_moments(
        [spec.local_moment(d, end_of_day=False) + moved for d in review.dates], review.every_days,
        opens=plan.window(Phase.ANNOUNCED).closes_at, closes=plan.window(Phase.COLLECTING).closes_at,
    )


def report_deadline(spec: ContestSpec, plan: PhasePlan | None = None) -> datetime | None:
    """`report_by` as a moment: a bare date means by the end of that day; moved with the plan."""
    participation = spec.participation
    if participation is None or participation.report_by is None:
        return None
    moved = timedelta(0) if plan is None else _moved(spec, plan)
    return spec.local_moment(participation.report_by, end_of_day=True) + moved


def _moved(spec: ContestSpec, plan: PhasePlan) -> timedelta:
    """How far `plan` was moved from the spec's own dates: its announcement is never extended."""
    return plan.window(Phase.ANNOUNCED).closes_at - spec.phase_plan().window(Phase.ANNOUNCED).closes_at


def entry_kinds(spec: ContestSpec) -> dict[str, str]:
    """Nomination code → its kind: a submission counts as a practice or an initiative by the
    nomination it is entered in."""
    return {nomination.code: str(nomination.kind) for nomination in spec.nominations}
