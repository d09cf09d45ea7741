"""The view database: one SQLite file holding every read model and how far each has read."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from projections import tracking

SCHEMAS = "CREATE TABLE IF NOT EXISTS view_schemas (view TEXT PRIMARY KEY, schema TEXT NOT NULL)"


class ViewsDB:
    """A file path and the habits of opening it; connections are opened per use, per thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are begun explicitly, so DDL, rows and positions share one.
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        try:
            _write_ahead(connection)
            tracking.ensure(connection)
            connection.execute(SCHEMAS)
            yield connection
        finally:
            connection.close()

    def positions(self) -> dict[str, int]:
        """Each view's tracked position, by view name."""
        with self.connect() as connection:
            return tracking.view_positions(connection)

    def dump(self) -> list[str]:
        """Every table's rows, sorted: two databases with equal dumps hold the same content
        (positions without the moment each was written)."""
        lines: list[str] = []
        with self.connect() as connection:
            tables = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )]
            for table in tables:
                columns = "consumer, position" if table == "tracking" else "*"
                rows = connection.execute(f"SELECT {columns} FROM {table}").fetchall()
                lines.append(f"[{table}]")
                lines.extend(sorted(repr(row) for row in rows))
        return lines


def _write_ahead(connection: sqlite3.Connection) -> None:
    """WAL mode stays with the file once set; setting it skips the busy timeout, so a second
    process opening a new file at the same moment may be told "locked" and tries again."""
    for attempt in range(50):
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if attempt == 49:
                raise
            time.sleep(0.05)


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Cursor]:
    cursor = connection.cursor()
    # IMMEDIATE takes the write lock up front, so a tracked position read inside stays true.
    cursor.execute("BEGIN IMMEDIATE")
    try:
        yield cursor
    except BaseException:
        cursor.execute("ROLLBACK")
        raise
    else:
        cursor.execute("COMMIT")
    finally:
        cursor.close()


def tracked_position(cursor: sqlite3.Cursor | sqlite3.Connection, view: str) -> int | None:
    return tracking.position(cursor, tracking.VIEW + view)


def track(cursor: sqlite3.Cursor, view: str, position: int) -> None:
    tracking.advance(cursor, tracking.VIEW + view, position, rewind=True)


def table_exists(connection: sqlite3.Connection, table: str) -> bool:
    row = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None


def stored_schema(cursor: sqlite3.Cursor | sqlite3.Connection, view: str) -> str | None:
    row = cursor.execute("SELECT schema FROM view_schemas WHERE view = ?", (view,)).fetchone()
    return None if row is None else str(row[0])


def record_schema(cursor: sqlite3.Cursor, view: str, schema: str) -> None:
    cursor.execute(
        "INSERT INTO view_schemas (view, schema) VALUES (?, ?) "
        "ON CONFLICT (view) DO UPDATE SET schema = excluded.schema",
        (view, schema),
    )
