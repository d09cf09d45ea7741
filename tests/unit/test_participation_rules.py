"""The participation drive's pure rules: targets, the league table, laggards and review moments."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from domain.regions import REGION_CODES
from domain.rules.participation import (
    RegionTally,
    laggards,
    league,
    region_target,
    report_deadline,
    review_moments,
    scheduled_reviews,
)
from domain.spec import ContestSpec
from domain.spec.participation import Participation
from tests.factories import DAY, spec_data

MOSCOW = ZoneInfo("Europe/Moscow")
KRASNODAR, KEMEROVO, NOVGOROD, MOSCOW_REGION = "23", "42", "53", "50"


def drive(per_100: float = 50, **regions: int) -> Participation:
    return Participation.model_validate({
        "target": {"per_100_municipalities": per_100},
        "regions": {code: {"absolute": target} for code, target in regions.items()},
        "review": {"every_days": 14},
    })


def seed_tallies() -> dict[str, RegionTally]:
    """Seed 004's counts, with rosters of 426, 34 and 56 municipalities."""
    return {
        KRASNODAR: RegionTally(submissions=4, taking_part=3, municipalities=426),
        KEMEROVO: RegionTally(submissions=252, taking_part=30, municipalities=34),
        NOVGOROD: RegionTally(submissions=104, taking_part=40, municipalities=56),
    }


def test_targets_are_absolute_or_rounded_up_per_100_municipalities() -> None:
    rules = drive(per_100=50, **{MOSCOW_REGION: 300})

    assert region_target(rules, KRASNODAR, 426) == 213
    assert region_target(rules, KEMEROVO, 34) == 17
    assert region_target(rules, NOVGOROD, 55) == 28  # 27.5 rounds up
    assert region_target(rules, MOSCOW_REGION, 0) == 300  # its own absolute target
    assert region_target(rules, KRASNODAR, 0) is None  # per 100 of no roster: no target
    assert region_target(None, KRASNODAR, 426) is None


def test_a_decimal_rate_is_not_pushed_over_by_binary_rounding() -> None:
    # 1.1 × 1000 / 100 is 11 exactly; in binary floats it is 11.000000000000002.
    assert region_target(drive(per_100=1.1), KRASNODAR, 1000) == 11
    assert region_target(drive(per_100=0.7), KRASNODAR, 300) == 3  # 2.1 rounds up


def test_the_seed_league_ranks_kemerovo_novgorod_krasnodar_and_only_krasnodar_lags() -> None:
    standings = league(drive(per_100=50), seed_tallies(), [KRASNODAR, KEMEROVO, NOVGOROD])

    assert [(s.rank, s.code, s.submissions, s.target, s.percent_of_target, s.lagging)
            for s in standings] == [
        (1, KEMEROVO, 252, 17, 1482.4, False),
        (2, NOVGOROD, 104, 28, 371.4, False),
        (3, KRASNODAR, 4, 213, 1.9, True),
    ]
    assert standings[0].name == "Кемеровская область — Кузбасс"
    assert (standings[2].taking_part, standings[2].municipalities) == (3, 426)
    assert [s.code for s in laggards(standings)] == [KRASNODAR]


def test_a_flat_target_of_100_makes_krasnodar_and_kemerovo_lag_furthest_behind_first() -> None:
    rules = Participation.model_validate({"target": {"absolute": 105}, "review": {"every_days": 7}})
    standings = league(rules, seed_tallies(), [KRASNODAR, KEMEROVO, NOVGOROD, MOSCOW_REGION])

    assert [(s.code, s.submissions, s.lagging) for s in standings] == [
        (KEMEROVO, 252, False), (NOVGOROD, 104, True), (KRASNODAR, 4, True), (MOSCOW_REGION, 0, True),
    ]
    assert [s.code for s in laggards(standings)] == [MOSCOW_REGION, KRASNODAR, NOVGOROD]


def test_equal_counts_share_a_rank_and_the_next_rank_skips() -> None:
    tallies = {"01": RegionTally(5), "02": RegionTally(5), "03": RegionTally(2)}
    assert [(s.rank, s.code) for s in league(None, tallies, [])] == [(1, "01"), (1, "02"), (3, "03")]


def test_review_moments_every_n_days_and_dates_fall_strictly_inside_collection() -> None:
    opens = datetime(2024, 1, 1, tzinfo=MOSCOW)
    closes = opens + 30 * DAY
    inside = opens + timedelta(days=10, hours=9)

    moments = review_moments([opens, inside, closes, closes + DAY], every_days=14, opens=opens,
                             closes=closes)

    assert moments == [inside, opens + 14 * DAY, opens + 28 * DAY]
    assert review_moments([], None, opens, closes) == []
    assert review_moments([], 30, opens, closes) == []  # day 30 is the close itself


def test_scheduled_reviews_read_bare_dates_as_the_start_of_the_day_in_the_contests_timezone() -> None:
    start = datetime(2030, 1, 10, tzinfo=MOSCOW)
    data = spec_data(start) | {"participation": {
        "target": {"absolute": 10}, "review": {"every_days": 20, "dates": ["2030-02-01"]}}}
    spec = ContestSpec.model_validate(data)

    moments = scheduled_reviews(spec, spec.phase_plan())

    assert moments == [start + 20 * DAY, datetime(2030, 2, 1, tzinfo=MOSCOW), start + 40 * DAY]


def test_a_rehearsal_moves_the_review_dates_and_report_by_with_its_plan() -> None:
    start = datetime(2030, 1, 10, tzinfo=MOSCOW)
    data = spec_data(start) | {"participation": {
        "target": {"absolute": 10}, "review": {"dates": ["2030-02-01"]}, "report_by": "2030-02-15"}}
    spec = ContestSpec.model_validate(data)
    moved = timedelta(days=1000)

    assert scheduled_reviews(spec, spec.phase_plan().shifted(moved)) == [
        datetime(2030, 2, 1, tzinfo=MOSCOW) + moved]
    by_the_end_of_15_february = datetime(2030, 2, 16, tzinfo=MOSCOW)
    assert report_deadline(spec, spec.phase_plan().shifted(moved)) == by_the_end_of_15_february + moved
    assert report_deadline(spec) == by_the_end_of_15_february


def test_a_target_on_practices_counts_practices_and_ranks_on_them() -> None:
    on_practices = Participation.model_validate(
        {"target": {"absolute": 10, "counts": "practices"}, "review": {"every_days": 7}})
    tallies = {KRASNODAR: RegionTally(900, 0, 0, practices=4, initiatives=896),
               KEMEROVO: RegionTally(300, 0, 0, practices=252, initiatives=48)}
    standings = league(on_practices, tallies, [KRASNODAR, KEMEROVO])
    assert [(s.code, s.counted, s.lagging, s.percent_of_target) for s in standings] == [
        (KEMEROVO, 252, False, 2520.0), (KRASNODAR, 4, True, 40.0)]


REGIONS = sorted(REGION_CODES)
tallies_strategy = st.dictionaries(
    st.sampled_from(REGIONS),
    st.builds(RegionTally, st.integers(0, 5_000), st.integers(0, 300), st.integers(0, 2_000)),
    min_size=20, max_size=89,
)
drive_strategy = st.builds(
    lambda per_100, overrides: drive(per_100, **overrides),
    st.floats(0.1, 500, allow_nan=False).map(lambda x: round(x, 2)),
    st.dictionaries(st.sampled_from(REGIONS), st.integers(1, 3_000), max_size=10),
)


@given(rules=drive_strategy, tallies=tallies_strategy)
def test_the_league_of_any_country_keeps_totals_order_and_exactly_the_regions_below_target(
    rules: Participation, tallies: dict[str, RegionTally]
) -> None:
    standings = league(rules, tallies, REGIONS)

    assert sorted(s.code for s in standings) == REGIONS
    assert sum(s.submissions for s in standings) == sum(t.submissions for t in tallies.values())
    counts = [s.submissions for s in standings]
    assert counts == sorted(counts, reverse=True)
    for line in standings:
        assert line.rank == 1 + sum(other.submissions > line.submissions for other in standings)
    below_target = {code for code in REGIONS
                    if _below_target(rules, code, tallies.get(code, RegionTally()))}
    assert {s.code for s in laggards(standings)} == below_target
    shares = [s.submissions / s.target for s in laggards(standings) if s.target]
    assert shares == sorted(shares)


def _below_target(rules: Participation, code: str, tally: RegionTally) -> bool:
    """The spec's rule, computed again in exact fractions."""
    if code in rules.regions:
        return tally.submissions < (rules.regions[code].absolute or 0)
    if tally.municipalities == 0:
        return False
    rate = Fraction(str(rules.target.per_100_municipalities))
    return tally.submissions < math.ceil(rate * tally.municipalities / 100)
