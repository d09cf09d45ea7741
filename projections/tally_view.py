"""The running tally of the public vote: votes per nomination, submission and voter region.

Ballots count only until the event that closes voting; later ones are kept apart as late, so
the view agrees with the recount from the log (`Konkurs.count`).
"""

# The @event decorator makes the event classes at runtime, where mypy cannot see them.
# mypy: disable-error-code="attr-defined"

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import ClassVar

from domain.aggregates import Ballot, Contest
from domain.aggregates.ballot_batch import BallotBatch
from domain.phases import Phase
from projections.view import Handler, TableView
from store.log import LoggedEvent


class TallyView(TableView):
    name = "tally"
    tables: ClassVar[Mapping[str, str]] = {
        "tally_contests": (
            "slug TEXT PRIMARY KEY, contest_id TEXT NOT NULL UNIQUE, "
            "voting_closed INTEGER NOT NULL DEFAULT 0, late INTEGER NOT NULL DEFAULT 0"
        ),
        "tally_votes": (
            "slug TEXT NOT NULL, nomination TEXT NOT NULL, submission TEXT NOT NULL, "
            "region TEXT NOT NULL, votes INTEGER NOT NULL, "
            "PRIMARY KEY (slug, nomination, submission, region)"
        ),
        "tally_refusals": (
            "slug TEXT NOT NULL, reason TEXT NOT NULL, ballots INTEGER NOT NULL, "
            "PRIMARY KEY (slug, reason)"
        ),
    }

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Contest.Announced: self._announced,
            Contest.PhaseChanged: self._phase_changed,
            Ballot.Cast: self._cast,
            BallotBatch.Received: self._batch,
        }

    def _announced(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        cursor.execute("INSERT INTO tally_contests (slug, contest_id) VALUES (?, ?)",
                       (logged.state["slug"], str(logged.originator_id)))

    def _phase_changed(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        if logged.state["closed"] == Phase.VOTING:
            cursor.execute("UPDATE tally_contests SET voting_closed = 1 WHERE contest_id = ?",
                           (str(logged.originator_id),))

    def _cast(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        state = logged.state
        closed = cursor.execute("SELECT voting_closed FROM tally_contests WHERE slug = ?",
                                (state["contest"],)).fetchone()
        if closed is not None and closed[0]:
            cursor.execute("UPDATE tally_contests SET late = late + 1 WHERE slug = ?",
                           (state["contest"],))
            return
        cursor.execute(
            "INSERT INTO tally_votes (slug, nomination, submission, region, votes) "
            "VALUES (?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET votes = votes + 1",
            (state["contest"], state["nomination"], state["submission"], state["region"]),
        )

    def _batch(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        slug = logged.state["contest"]
        for rejection in logged.state["rejections"]:
            cursor.execute(
                "INSERT INTO tally_refusals (slug, reason, ballots) VALUES (?, ?, 1) "
                "ON CONFLICT DO UPDATE SET ballots = ballots + 1", (slug, rejection["reason"]))


