"""The participation drive as operators read it: the league table against the spec's targets,
one region's municipalities, submissions per day, and the reviews recorded."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time

from domain.errors import KonkursError
from domain.regions import REGION_CODES, region_name
from domain.rules.participation import NamedMunicipality, RegionTally, league
from domain.spec.participation import Participation as Drive
from projections.participation_models import (
    DayCount,
    MunicipalityCount,
    MunicipalReports,
    Participation,
    ParticipationReview,
    ReceivedReport,
    RegionDetail,
    RegionParticipation,
    RegionReports,
)
from projections.queries import _region_counts, contest_row, reading
from projections.views_db import ViewsDB, table_exists


def participation(db: ViewsDB, slug: str) -> Participation:
    """Every region the contest is open to, most submissions first, against its target."""
    with reading(db) as connection:
        return _participation(connection, slug)


def region_participation(db: ViewsDB, slug: str, region: str) -> RegionDetail:
    """One region's line of the league, its municipalities and its submissions per day."""
    with reading(db) as connection:
        shown = _participation(connection, slug)
        line = next((r for r in shown.regions if r.code == region), None)
        if line is None:
            raise KonkursError(f"region {region!r} is not one of the regions contest {slug} is open to")
        if not table_exists(connection, "participation_days"):
            return RegionDetail(slug=slug, region=line, municipalities=[], unnamed=0, days=[])
        counts = dict(connection.execute(
            "SELECT municipality, SUM(submissions) FROM participation_days "
            "WHERE slug = ? AND region = ? GROUP BY municipality", (slug, region)))
        roster = dict(connection.execute(
            "SELECT oktmo, name FROM participation_rosters WHERE region = ?", (region,)))
        named = [MunicipalityCount(oktmo=code, name=roster.get(code), submissions=counts.get(code, 0))
                 for code in set(roster) | (set(counts) - {""})]
        return RegionDetail(
            slug=slug, region=line, unnamed=counts.get("", 0),
            municipalities=sorted(named, key=lambda m: (-m.submissions, m.name or "", m.oktmo)),
            days=_days(connection.execute(
                "SELECT day, SUM(submissions) FROM participation_days WHERE slug = ? AND region = ? "
                "GROUP BY day ORDER BY day", (slug, region))),
        )


def _participation(connection: sqlite3.Connection, slug: str) -> Participation:
    contest = contest_row(connection, "board_contests", slug)
    eligible = contest["eligible_regions"]
    open_to = sorted(REGION_CODES) if eligible is None else json.loads(eligible)
    counts = _region_counts(connection, slug)
    if not table_exists(connection, "participation_contests"):
        return _shown(slug, None, counts, {}, open_to, [], [])
    row = connection.execute(
        "SELECT participation FROM participation_contests WHERE slug = ?", (slug,)).fetchone()
    drive = Drive.model_validate_json(row[0]) if row and row[0] else None
    taking_part = dict(connection.execute(
        "SELECT region, COUNT(DISTINCT municipality) FROM participation_days "
        "WHERE slug = ? AND municipality != '' GROUP BY region", (slug,)))
    sizes = dict(connection.execute(
        "SELECT region, COUNT(*) FROM participation_rosters GROUP BY region"))
    by_kind = {(region, kind): n for region, kind, n in connection.execute(
        "SELECT region, kind, SUM(submissions) FROM participation_days WHERE slug = ? "
        "GROUP BY region, kind", (slug,))}
    tallies = {
        code: RegionTally(counts.get(code, (0, 0))[0], taking_part.get(code, 0), sizes.get(code, 0),
                          by_kind.get((code, "practice"), 0), by_kind.get((code, "initiative"), 0))
        for code in set(counts) | set(sizes)
    }
    days = _days(connection.execute(
        "SELECT day, SUM(submissions) FROM participation_days WHERE slug = ? GROUP BY day "
        "ORDER BY day", (slug,)))
    reviews = [
        ParticipationReview(moment=moment, counted_to=counted_to, submissions=submissions,
                            report_by=report_by, laggards=json.loads(laggards),
                            missing_reports=json.loads(missing) if missing else None)
        for moment, counted_to, submissions, report_by, laggards, missing in connection.execute(
            "SELECT moment, counted_to, submissions, report_by, laggards, missing_reports "
            "FROM participation_reviews WHERE slug = ? ORDER BY counted_to, moment", (slug,))
    ]
    return _shown(slug, drive, counts, tallies, open_to, days, reviews)


def _shown(
    slug: str, drive: Drive | None, counts: dict[str, tuple[int, int]],
    tallies: dict[str, RegionTally], open_to: list[str], days: list[DayCount],
    reviews: list[ParticipationReview],
) -> Participation:
    # Regions outside the contest appear only where they have submissions, as on the board.
    present = {code: tally for code, tally in tallies.items() if code in open_to or tally.submissions}
    for code, (submissions, _) in counts.items():
        present.setdefault(code, RegionTally(submissions))
    standings = league(drive, present, open_to)
    return Participation(
        slug=slug, submissions=sum(s.submissions for s in standings), drive=drive, days=days,
        practices=sum(s.practices for s in standings), initiatives=sum(s.initiatives for s in standings),
        reviews=reviews,
        regions=[RegionParticipation(**s.model_dump(), admitted=counts.get(s.code, (0, 0))[1])
                 for s in standings],
    )


def municipal_reports(db: ViewsDB, slug: str) -> MunicipalReports:
    """The reports asked for by `report_by`: per region asked (found lagging by a review up to
    report_by), those received and the municipalities still to report; the same rule as the
    review that chases them."""
    with reading(db) as connection:
        contest_row(connection, "board_contests", slug)
        if not table_exists(connection, "participation_reports"):
            return MunicipalReports(slug=slug, report_by=None, regions=[])
        reviews = [(datetime.fromisoformat(moment), report_by, json.loads(laggards))
                   for moment, report_by, laggards in connection.execute(
                       "SELECT moment, report_by, laggards FROM participation_reviews WHERE slug = ?",
                       (slug,))]
        deadline = next((datetime.fromisoformat(by) for _, by, _ in reviews if by), None)
        asked = sorted({lag["code"] for moment, _, lags in reviews for lag in lags
                        if deadline is not None and moment < deadline})
        rosters: dict[str, dict[str, str]] = defaultdict(dict)
        for oktmo, region, name in connection.execute(
                "SELECT oktmo, region, name FROM participation_rosters"):
            rosters[region][oktmo] = name
        received: dict[str, list[ReceivedReport]] = defaultdict(list)
        for oktmo, region, day, reference in connection.execute(
                "SELECT oktmo, region, received, reference FROM participation_reports WHERE slug = ? "
                "ORDER BY received, oktmo", (slug,)):
            on = date.fromisoformat(day)
            received[region].append(ReceivedReport(
                oktmo=oktmo, name=rosters[region].get(oktmo), received=on, reference=reference,
                late=deadline is not None and datetime.combine(on, time.min, deadline.tzinfo) >= deadline))
    regions = []
    for code in (code for code in asked if code in rosters):  # no roster, no one to ask
        got = {report.oktmo for report in received[code]}
        regions.append(RegionReports(
            code=code, name=region_name(code), asked=len(rosters[code]), received=received[code],
            missing=[NamedMunicipality(oktmo=oktmo, name=name)
                     for oktmo, name in sorted(rosters[code].items()) if oktmo not in got]))
    unasked = [report for code, reports in sorted(received.items()) if code not in asked
               for report in reports]
    return MunicipalReports(slug=slug, report_by=deadline, regions=regions, unasked=unasked)


def _days(rows: Iterable[tuple[str, int]]) -> list[DayCount]:
    days, total = [], 0
    for day, submissions in rows:
        total += submissions
        days.append(DayCount(day=date.fromisoformat(day), submissions=submissions, total=total))
    return days

