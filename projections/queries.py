"""Reading the views: typed answers for operators and services."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from domain.errors import UnknownContest
from domain.regions import region_name
from projections.board_view import rejections
from projections.models import (
    Board,
    ContestSummary,
    Deadline,
    NominationCount,
    NominationResults,
    Placing,
    RankedEntry,
    RegionCount,
    Rejection,
    Results,
)
from projections.views_db import ViewsDB, table_exists

SUMMARY = ", ".join(ContestSummary.model_fields)
ENTRY = (
    "s.title AS title, s.applicant AS applicant, s.region AS region, "
    "s.provenance AS provenance, s.nominee AS nominee FROM {table} x "
    "LEFT JOIN results_submissions s ON s.slug = x.slug AND s.reference = x.reference "
    "WHERE x.slug = ? ORDER BY x.nomination, x.place, x.reference"
)


def list_contests(db: ViewsDB) -> list[ContestSummary]:
    with reading(db) as connection:
        if not table_exists(connection, "board_contests"):
            return []
        rows = connection.execute(f"SELECT {SUMMARY} FROM board_contests ORDER BY slug")
        return [ContestSummary(**dict(row)) for row in rows]


def board(db: ViewsDB, slug: str) -> Board:
    with reading(db) as connection:
        contest = contest_row(connection, "board_contests", slug)
        deadlines = connection.execute(
            "SELECT phase, closes_at, extensions FROM board_deadlines WHERE slug = ? "
            "ORDER BY ordinal", (slug,),
        )
        nominations = connection.execute(
            "SELECT n.code, n.title, COALESCE(SUM(e.submissions), 0) AS submissions, "
            "COALESCE(SUM(e.admitted), 0) AS admitted FROM board_nominations n "
            "LEFT JOIN board_entries e ON e.slug = n.slug AND e.nomination = n.code "
            "WHERE n.slug = ? GROUP BY n.code ORDER BY n.ordinal", (slug,),
        )
        return Board(
            **{field: contest[field] for field in ContestSummary.model_fields},
            deadlines=[Deadline(**dict(row)) for row in deadlines],
            by_nomination=[NominationCount(**dict(row)) for row in nominations],
            by_region=_by_region(_region_counts(connection, slug), []),
            rejections=[Rejection(**dict(row)) for row in rejections(connection, slug)],
        )


def results(db: ViewsDB, slug: str) -> Results:
    with reading(db) as connection:
        contest = contest_row(connection, "results_contests", slug)
        ranking: dict[str, list[RankedEntry]] = defaultdict(list)
        for row in connection.execute(
            "SELECT x.nomination, x.place, x.reference, x.score, x.reviews, x.settled_by, "
            "x.shortlisted, x.raw_score, x.disagreement, " + ENTRY.format(table="results_rankings"),
            (slug,),
        ):
            ranking[row["nomination"]].append(RankedEntry(**_entry(row)))
        placings: dict[tuple[str, str], list[Placing]] = defaultdict(list)
        for row in connection.execute(
            "SELECT x.kind, x.nomination, x.place, x.reference, x.score, x.votes, "
            + ENTRY.format(table="results_standings"), (slug,),
        ):
            placings[row["kind"], row["nomination"]].append(Placing(**_entry(row)))
        nominations = connection.execute(
            "SELECT code, title, agreement, under_reviewed FROM results_nominations "
            "WHERE slug = ? ORDER BY ordinal", (slug,)
        ).fetchall()
        leniency = connection.execute(
            "SELECT expert, offset FROM results_leniency WHERE slug = ? ORDER BY expert", (slug,)
        ).fetchall()
        return Results(
            slug=slug, title=contest["title"], judged=contest["judged"],
            declared=contest["declared"], published=contest["published"],
            normalisation=contest["normalisation"], sealed_position=contest["sealed_position"],
            sealed_head=contest["sealed_head"],
            leniency={row["expert"]: row["offset"] for row in leniency},
            nominations=[
                NominationResults(
                    code=code, title=title, agreement=agreement,
                    under_reviewed=json.loads(under_reviewed), ranking=ranking[code],
                    winners=placings["winner", code],
                    people_choice=placings["people_choice", code],
                )
                for code, title, agreement, under_reviewed in nominations
            ],
        )


@contextmanager
def reading(db: ViewsDB) -> Iterator[sqlite3.Connection]:
    with db.connect() as connection:
        connection.row_factory = sqlite3.Row
        # One read transaction: every statement of a query sees the same snapshot.
        connection.execute("BEGIN")
        try:
            yield connection
        finally:
            connection.execute("ROLLBACK")


def contest_row(connection: sqlite3.Connection, table: str, slug: str) -> sqlite3.Row:
    row = None
    if table_exists(connection, table):
        row = connection.execute(f"SELECT * FROM {table} WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        raise UnknownContest(f"no contest {slug!r} has been announced")
    return row  # type: ignore[no-any-return]


def _region_counts(connection: sqlite3.Connection, slug: str) -> dict[str, tuple[int, int]]:
    rows = connection.execute(
        "SELECT region, SUM(submissions), SUM(admitted) FROM board_entries WHERE slug = ? "
        "GROUP BY region", (slug,),
    )
    return {region: (submissions, admitted) for region, submissions, admitted in rows}


def _by_region(counts: dict[str, tuple[int, int]], also: list[str]) -> list[RegionCount]:
    codes = set(counts) | set(also)
    rows = [
        RegionCount(code=code, name=region_name(code), submissions=counts.get(code, (0, 0))[0],
                    admitted=counts.get(code, (0, 0))[1])
        for code in codes
    ]
    return sorted(rows, key=lambda r: (-r.submissions, r.code))


def _entry(row: sqlite3.Row) -> dict[str, Any]:
    entry = dict(row)
    entry.pop("kind", None)
    entry.pop("nomination", None)
    entry["region_name"] = region_name(row["region"])
    entry["provenance"] = json.loads(row["provenance"]) if row["provenance"] else None
    return entry


