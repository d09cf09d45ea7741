"""One table of tracked positions in the views DB: how far each view and subscriber has read.

Every consumer writes its position in the same transaction as its rows. Views are tracked as
`view:<name>`, so no subscriber's name can stand for a view's.

Views DBs written before the table was shared kept views' positions in `tracking (view,
position)` and subscribers' in `subscriptions (consumer, position, acknowledged_at)`. Opening
one moves both into the one table with their positions, so nothing is replayed or rebuilt.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

TRACKING = ("CREATE TABLE IF NOT EXISTS tracking (consumer TEXT PRIMARY KEY, "
            "position INTEGER NOT NULL, updated_at TEXT NOT NULL)")
VIEW = "view:"

Cursor = sqlite3.Cursor | sqlite3.Connection


def ensure(connection: sqlite3.Connection) -> None:
    """The tracking table, made, or moved over from the older two."""
    if _older_layout(connection):
        connection.execute("BEGIN IMMEDIATE")
        try:
            if _older_layout(connection):  # another process may have moved them meanwhile
                _move_over(connection)
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    connection.execute(TRACKING)


def position(cursor: Cursor, consumer: str) -> int | None:
    row = cursor.execute("SELECT position FROM tracking WHERE consumer = ?", (consumer,)).fetchone()
    return None if row is None else int(row[0])


def advance(cursor: Cursor, consumer: str, to: int, *, rewind: bool = False) -> None:
    """Record `consumer` as having read through `to`; only forward unless `rewind` says so."""
    keep = "excluded.position" if rewind else "max(position, excluded.position)"
    cursor.execute(
        "INSERT INTO tracking (consumer, position, updated_at) VALUES (?, ?, ?) "
        f"ON CONFLICT (consumer) DO UPDATE SET position = {keep}, updated_at = excluded.updated_at",
        (consumer, to, _now()),
    )


def forget(cursor: Cursor, consumer: str) -> None:
    cursor.execute("DELETE FROM tracking WHERE consumer = ?", (consumer,))


def view_positions(cursor: Cursor) -> dict[str, int]:
    rows = cursor.execute("SELECT consumer, position FROM tracking WHERE substr(consumer, 1, 5) = ?",
                          (VIEW,)).fetchall()
    return {consumer.removeprefix(VIEW): int(at) for consumer, at in rows}


def _older_layout(connection: sqlite3.Connection) -> bool:
    return "view" in _columns(connection, "tracking") or _is_table(connection, "subscriptions")


def _move_over(connection: sqlite3.Connection) -> None:
    now = _now()
    if "view" in _columns(connection, "tracking"):
        connection.execute("ALTER TABLE tracking RENAME TO tracking_by_view")
        connection.execute(TRACKING)
        connection.execute("INSERT INTO tracking SELECT ? || view, position, ? FROM tracking_by_view",
                           (VIEW, now))
        connection.execute("DROP TABLE tracking_by_view")
    connection.execute(TRACKING)
    if _is_table(connection, "subscriptions"):
        connection.execute("INSERT OR IGNORE INTO tracking "
                           "SELECT consumer, position, acknowledged_at FROM subscriptions")
        connection.execute("DROP TABLE subscriptions")


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def _is_table(connection: sqlite3.Connection, name: str) -> bool:
    row = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


def _now() -> str:
    return datetime.now(UTC).isoformat()
