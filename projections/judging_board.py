"""Judging as a stage's board shows it: who is assigned to what, who recused, which cards are in.
Tables of the board view, kept from the judging and review events, so the progress of a panel on
a stage of thousands of submissions is one aggregate query, not a replay of every card."""

# The @event decorator makes the event classes at runtime, where mypy cannot see them.
# mypy: disable-error-code="attr-defined"

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

from domain.aggregates import Judging, Review
from projections.view import Handler
from store.log import LoggedEvent

TABLES: dict[str, str] = {
    "board_judgings": "judging_id TEXT PRIMARY KEY, slug TEXT NOT NULL",
    "board_assignments": (
        "slug TEXT NOT NULL, submission TEXT NOT NULL, expert TEXT NOT NULL, "
        "recused INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (slug, submission, expert)"
    ),
    # Each expert's first card on each submission, and the log position it was recorded at.
    "board_cards": (
        "slug TEXT NOT NULL, submission TEXT NOT NULL, expert TEXT NOT NULL, "
        "position INTEGER NOT NULL, PRIMARY KEY (slug, submission, expert)"
    ),
}


def handlers() -> Mapping[type, Handler]:
    return {Judging.Opened: _opened, Judging.Assigned: _assigned, Judging.Recused: _recused,
            Review.Scored: _carded}


def _opened(cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
    cursor.execute("INSERT OR IGNORE INTO board_judgings (judging_id, slug) VALUES (?, ?)",
                   (str(logged.originator_id), logged.state["contest"]))


def _slug(cursor: sqlite3.Cursor, logged: LoggedEvent) -> str | None:
    row = cursor.execute("SELECT slug FROM board_judgings WHERE judging_id = ?",
                         (str(logged.originator_id),)).fetchone()
    return None if row is None else str(row[0])


def _assigned(cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
    slug = _slug(cursor, logged)
    cursor.executemany(
        "INSERT INTO board_assignments (slug, submission, expert) VALUES (?, ?, ?) "
        "ON CONFLICT (slug, submission, expert) DO UPDATE SET recused = 0",
        [(slug, pair["submission"], pair["expert"]) for pair in logged.state["pairs"]])


def _recused(cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
    pair = (_slug(cursor, logged), logged.state["submission"], logged.state["expert"])
    cursor.execute("UPDATE board_assignments SET recused = 1 "
                   "WHERE slug = ? AND submission = ? AND expert = ?", pair)


def _carded(cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
    state = logged.state
    card = (state["contest"], state["submission"], state["expert"], logged.position)
    cursor.execute("UPDATE board_contests SET reviews = reviews + 1 WHERE slug = ?", (state["contest"],))
    cursor.execute("INSERT OR IGNORE INTO board_cards (slug, submission, expert, position) "
                   "VALUES (?, ?, ?, ?)", card)
