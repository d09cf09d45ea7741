"""Reading the vote: the tally as the view counts it, and replication demand per region."""

from __future__ import annotations

import sqlite3
from collections import defaultdict

from domain.regions import region_name
from projections.models import RegionDemand, Tally, Wanted
from projections.queries import contest_row, reading
from projections.views_db import ViewsDB


def tally(db: ViewsDB, slug: str) -> Tally:
    with reading(db) as connection:
        return read_tally(connection, slug)


def read_tally(connection: sqlite3.Connection, slug: str) -> Tally:
    contest = contest_row(connection, "tally_contests", slug)
    by_submission: dict[str, dict[str, int]] = defaultdict(dict)
    by_region: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for nomination, submission, region, votes in connection.execute(
        "SELECT nomination, submission, region, votes FROM tally_votes WHERE slug = ? "
        "ORDER BY nomination, submission, region", (slug,)
    ):
        per_nomination = by_submission[nomination]
        per_nomination[submission] = per_nomination.get(submission, 0) + votes
        by_region[region][nomination][submission] = votes
    refusals = connection.execute(
        "SELECT reason, ballots FROM tally_refusals WHERE slug = ? ORDER BY reason", (slug,))
    return Tally(
        slug=slug, accepted=sum(sum(v.values()) for v in by_submission.values()),
        late=contest["late"], rejected={reason: count for reason, count in refusals},
        by_submission=dict(by_submission),
        by_region={region: {n: dict(sorted(s.items())) for n, s in sorted(noms.items())}
                   for region, noms in sorted(by_region.items())},
    )


def demand(db: ViewsDB, slug: str, region: str | None = None, top: int = 3) -> list[RegionDemand]:
    """For each region (or one), the practices its voters want most in every nomination."""
    with reading(db) as connection:
        contest_row(connection, "tally_contests", slug)
        titles = dict(connection.execute(
            "SELECT reference, title FROM results_submissions WHERE slug = ?", (slug,)).fetchall())
        nominations = dict(connection.execute(
            "SELECT code, title FROM results_nominations WHERE slug = ?", (slug,)).fetchall())
        query = "SELECT region, nomination, submission, votes FROM tally_votes WHERE slug = ?"
        params: tuple[str, ...] = (slug,)
        if region is not None:
            query, params = query + " AND region = ?", (slug, region)
        votes: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
        for code, nomination, submission, count in connection.execute(query, params):
            votes[code][nomination].append((submission, count))
    answer = []
    for code in sorted(votes):
        wanted = []
        for nomination, choices in sorted(votes[code].items()):
            total = sum(count for _, count in choices)
            for reference, count in sorted(choices, key=lambda c: (-c[1], c[0]))[:top]:
                wanted.append(Wanted(
                    nomination=nomination, nomination_title=nominations.get(nomination, nomination),
                    reference=reference, title=titles.get(reference), votes=count,
                    share=round(count / total, 4)))
        answer.append(RegionDemand(
            region=code, name=region_name(code),
            ballots=sum(c for choices in votes[code].values() for _, c in choices), wanted=wanted))
    return answer
