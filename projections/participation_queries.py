"""The participation drive as operators read it: the league table against the spec's targets,
one region's municipalities, submissions per day, and the reviews recorded."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date

from domain.errors import KonkursError
from domain.regions import REGION_CODES
from domain.rules.participation import RegionTally, league
from domain.spec.participation import Participation as Drive
from projections.participation_models import (
    DayCount,
    MunicipalityCount,
    Participation,
    ParticipationReview,
    RegionDetail,
    RegionParticipation,
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
    tallies = {
        code: RegionTally(counts.get(code, (0, 0))[0], taking_part.get(code, 0), sizes.get(code, 0))
        for code in set(counts) | set(sizes)
    }
    days = _days(connection.execute(
        "SELECT day, SUM(submissions) FROM participation_days WHERE slug = ? GROUP BY day "
        "ORDER BY day", (slug,)))
    reviews = [
        ParticipationReview(moment=moment, counted_to=counted_to, submissions=submissions,
                            report_by=report_by, laggards=json.loads(laggards))
        for moment, counted_to, submissions, report_by, laggards in connection.execute(
            "SELECT moment, counted_to, submissions, report_by, laggards FROM participation_reviews "
            "WHERE slug = ? ORDER BY counted_to, moment", (slug,))
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
        reviews=reviews,
        regions=[RegionParticipation(**s.model_dump(), admitted=counts.get(s.code, (0, 0))[1])
                 for s in standings],
    )


def _days(rows: Iterable[tuple[str, int]]) -> list[DayCount]:
    days, total = [], 0
    for day, submissions in rows:
        total += submissions
        days.append(DayCount(day=date.fromisoformat(day), submissions=submissions, total=total))
    return days

