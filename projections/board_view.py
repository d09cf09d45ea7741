"""The contest board: phase, deadlines and intake counts of every contest."""

# The @event decorator makes the event classes at runtime, where mypy cannot see them.
# mypy: disable-error-code="attr-defined"

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any, ClassVar

from domain.aggregates import Ballot, Contest, Submission
from domain.phases import Phase
from projections import judging_board
from projections.view import Handler, TableView, slug_of
from store.log import LoggedEvent

# `submissions` counts filed ones; `drafts` those saved and not filed yet.
COUNTERS = ("submissions", "admitted", "rejected", "withdrawn", "reviews", "ballots", "drafts")


class BoardView(TableView):
    name = "board"
    tables: ClassVar[Mapping[str, str]] = {
        "board_contests": (
            "slug TEXT PRIMARY KEY, contest_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, "
            "level TEXT NOT NULL, region TEXT, eligible_regions TEXT, phase TEXT NOT NULL, "
            "cancelled_reason TEXT, "
            + ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNTERS)
        ),
        "board_deadlines": (
            "slug TEXT NOT NULL, phase TEXT NOT NULL, ordinal INTEGER NOT NULL, "
            "closes_at TEXT NOT NULL, extensions INTEGER NOT NULL DEFAULT 0, "
            "PRIMARY KEY (slug, phase)"
        ),
        "board_nominations": (
            "slug TEXT NOT NULL, code TEXT NOT NULL, ordinal INTEGER NOT NULL, "
            "title TEXT NOT NULL, PRIMARY KEY (slug, code)"
        ),
        "board_entries": (
            "slug TEXT NOT NULL, nomination TEXT NOT NULL, region TEXT NOT NULL, "
            "submissions INTEGER NOT NULL DEFAULT 0, admitted INTEGER NOT NULL DEFAULT 0, "
            "PRIMARY KEY (slug, nomination, region)"
        ),
        # Admitted and Rejected carry no contest: this maps their submission back to one, and
        # keeps each one's reference, status and the reason it was rejected for.
        "board_submissions": (
            "submission_id TEXT PRIMARY KEY, slug TEXT NOT NULL, nomination TEXT NOT NULL, "
            "region TEXT NOT NULL, reference TEXT NOT NULL, status TEXT NOT NULL, reason TEXT, "
            "decided_at INTEGER, filed_at TEXT"
        ),
        **judging_board.TABLES,
    }

    def create(self, cursor: sqlite3.Cursor) -> None:
        super().create(cursor)
        # The operator's board counts a stage's thousands of submissions by status and lists its
        # screening queue in filing order (projections.board_queue): from indexes, not table scans.
        cursor.execute("CREATE INDEX IF NOT EXISTS board_submissions_by_status ON board_submissions "
                       "(slug, status, filed_at, reference)")
        cursor.execute("CREATE INDEX IF NOT EXISTS board_submissions_by_nomination ON board_submissions "
                       "(slug, nomination, status)")

    def handlers(self) -> Mapping[type, Handler]:
        return {
            Contest.Announced: self._announced,
            Contest.PhaseChanged: self._phase_changed,
            Contest.DeadlineExtended: self._deadline_extended,
            Contest.Cancelled: self._cancelled,
            Submission.Submitted: self._submitted,
            Submission.Revised: self._revised,
            Submission.Filed: self._filed,
            Submission.Admitted: self._admitted,
            Submission.Rejected: self._decided("rejected"),
            Submission.Withdrawn: self._decided("withdrawn"),
            Ballot.Cast: self._counted("ballots"),
            **judging_board.handlers(),
        }

    def _announced(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        state = logged.state
        slug, spec = state["slug"], state["spec"]
        regions = spec["eligibility"].get("regions")
        cursor.execute(
            "INSERT INTO board_contests (slug, contest_id, title, level, region, "
            "eligible_regions, phase) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (slug, str(logged.originator_id), spec["title"], spec["level"], spec.get("region"),
             None if regions is None else json.dumps(regions), Phase.ANNOUNCED.value),
        )
        cursor.executemany(
            "INSERT INTO board_deadlines (slug, phase, ordinal, closes_at) VALUES (?, ?, ?, ?)",
            [(slug, w["phase"], i, w["closes_at"]) for i, w in enumerate(state["plan"]["windows"])],
        )
        nominations = [n for d in spec["directions"] for n in d["nominations"]]
        cursor.executemany(
            "INSERT INTO board_nominations (slug, code, ordinal, title) VALUES (?, ?, ?, ?)",
            [(slug, n["code"], i, n["title"]) for i, n in enumerate(nominations)],
        )

    def _phase_changed(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        self._set_phase(cursor, logged, logged.state["opened"], None)

    def _cancelled(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        self._set_phase(cursor, logged, Phase.CANCELLED.value, logged.state["reason"])

    def _set_phase(
        self, cursor: sqlite3.Cursor, logged: LoggedEvent, phase: str, reason: str | None
    ) -> None:
        cursor.execute(
            "UPDATE board_contests SET phase = ?, cancelled_reason = ? WHERE contest_id = ?",
            (phase, reason, str(logged.originator_id)),
        )

    def _deadline_extended(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        slug = slug_of(cursor, "board_contests", logged.originator_id)
        cursor.execute(
            "UPDATE board_deadlines SET closes_at = ?, extensions = extensions + 1 "
            "WHERE slug = ? AND phase = ?",
            (logged.state["closes_at"], slug, logged.state["phase"]),
        )

    def _submitted(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        state = logged.state
        slug, draft = state["contest"], bool(state.get("draft"))
        cursor.execute(
            "INSERT INTO board_submissions (submission_id, slug, nomination, region, reference, status, "
            "filed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (str(logged.originator_id), slug, state["nomination"], state["applicant"]["region"],
             state["reference"], "draft" if draft else "submitted", None if draft else state["timestamp"]),
        )
        if draft:
            _bump(cursor, "drafts", slug)
        else:
            _count_filed(cursor, slug, state["nomination"], state["applicant"]["region"])

    def _revised(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        cursor.execute(
            "UPDATE board_submissions SET nomination = ?, region = ? WHERE submission_id = ?",
            (logged.state["nomination"], logged.state["applicant"]["region"], str(logged.originator_id)),
        )

    def _filed(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        entry = _entry(cursor, logged)
        if entry is None:
            return
        slug, nomination, region = entry
        _set_status(cursor, logged, "submitted")
        cursor.execute("UPDATE board_submissions SET filed_at = ? WHERE submission_id = ?",
                       (logged.state["timestamp"], str(logged.originator_id)))
        _bump(cursor, "drafts", slug, -1)
        _count_filed(cursor, slug, nomination, region)

    def _admitted(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        entry = _entry(cursor, logged)
        if entry is None:
            return
        _set_status(cursor, logged, "admitted")
        _bump(cursor, "admitted", entry[0])
        cursor.execute(
            "UPDATE board_entries SET admitted = admitted + 1 "
            "WHERE slug = ? AND nomination = ? AND region = ?",
            entry,
        )

    def _decided(self, counter: str) -> Handler:
        def handle(cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
            entry = _entry(cursor, logged)
            if entry is not None:
                _set_status(cursor, logged, counter, logged.state.get("reason"))
                _bump(cursor, counter, entry[0])

        return handle

    def _counted(self, counter: str) -> Handler:
        def handle(cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
            _bump(cursor, counter, logged.state["contest"])

        return handle


def _entry(cursor: sqlite3.Cursor, logged: LoggedEvent) -> tuple[Any, ...] | None:
    row = cursor.execute(
        "SELECT slug, nomination, region FROM board_submissions WHERE submission_id = ?",
        (str(logged.originator_id),),
    ).fetchone()
    return None if row is None else tuple(row)


def _set_status(cursor: sqlite3.Cursor, logged: LoggedEvent, status: str, reason: str | None = None) -> None:
    cursor.execute(
        "UPDATE board_submissions SET status = ?, reason = ?, decided_at = ? WHERE submission_id = ?",
        (status, reason, logged.position, str(logged.originator_id)),
    )


def _count_filed(cursor: sqlite3.Cursor, slug: str, nomination: str, region: str) -> None:
    _bump(cursor, "submissions", slug)
    cursor.execute(
        "INSERT INTO board_entries (slug, nomination, region, submissions) VALUES (?, ?, ?, 1) "
        "ON CONFLICT (slug, nomination, region) DO UPDATE SET submissions = submissions + 1",
        (slug, nomination, region),
    )


def _bump(cursor: sqlite3.Cursor, counter: str, slug: str, by: int = 1) -> None:
    assert counter in COUNTERS
    cursor.execute(
        f"UPDATE board_contests SET {counter} = {counter} + ? WHERE slug = ?", (by, slug)
    )


def rejections(connection: sqlite3.Connection, slug: str, limit: int | None = None) -> list[sqlite3.Row]:
    """The contest's rejected submissions, each with its reason, in the order they were rejected."""
    return connection.execute(
        "SELECT reference, reason FROM board_submissions WHERE slug = ? AND status = 'rejected' "
        "ORDER BY decided_at LIMIT ?", (slug, -1 if limit is None else limit),
    ).fetchall()
