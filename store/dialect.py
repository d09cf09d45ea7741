"""What differs between the stores, known in one place: SQLite, PostgreSQL, or in memory (POPO).

A `Dialect` says how to name the events table and its position column, how to write a
statement's parameters, and how to open a read, a write or an appending transaction. The
in-memory store has no tables: its side tables (the chain's links) live in an SQLite database
in memory, one per recorder, and its appends hold the recorder's own lock.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from weakref import WeakKeyDictionary

from store import recorder_internals as internals


def family(obj: object) -> str:
    """Which store a recorder or factory is of, by its library module: "sqlite", "postgres" or
    "memory"; anything else is taken for SQLite, as the embedded default."""
    for cls in type(obj).__mro__:
        module = cls.__module__
        if module.startswith("eventsourcing.postgres"):
            return "postgres"
        if module.startswith("eventsourcing.popo"):
            return "memory"
    return "sqlite"


class Dialect:
    """One store's way with statements and transactions; `Dialect.of(recorder)` picks it."""

    name: ClassVar[str]
    postgres: ClassVar[bool] = False
    memory: ClassVar[bool] = False
    position: ClassVar[str] = "rowid"
    placeholder: ClassVar[str] = "?"
    blob: ClassVar[str] = "BLOB"

    def __init__(self, recorder: Any) -> None:
        self.recorder = recorder

    @staticmethod
    def of(recorder: Any) -> Dialect:
        kind = family(recorder)
        return next(d for d in (SQLite, PostgreSQL, Memory) if d.name == kind)(recorder)

    @property
    def events_table(self) -> str:
        """The events table, qualified as statements must name it."""
        return self.qualified(internals.events_table_name(self.recorder))

    def qualified(self, table: str) -> str:
        return table

    def marks(self, count: int) -> str:
        return ",".join([self.placeholder] * count)

    @contextmanager
    def read(self) -> Iterator[Any]:
        """A cursor in a transaction that is rolled back."""
        with internals.datastore(self.recorder).transaction(commit=False) as cursor:
            yield cursor

    @contextmanager
    def write(self) -> Iterator[Any]:
        """A cursor in a transaction that commits."""
        with internals.datastore(self.recorder).transaction(commit=True) as cursor:
            yield cursor

    @contextmanager
    def append(self) -> Iterator[Any]:
        """A transaction that appends to the log, no other writer's appends interleaved."""
        raise NotImplementedError
        yield

    def serialise(self, cursor: Any, key: str) -> None:
        """Make concurrent transactions that take `key` wait their turn (for DDL)."""

    def truncate_wal(self) -> bool:
        """Empty the write-ahead log into the database file, so overwritten rows leave every
        file; False when another process's reader kept it from finishing. Only SQLite has one."""
        return True

    def values(self, row: Any) -> tuple[Any, ...]:
        return tuple(row)


class SQLite(Dialect):
    name = "sqlite"

    def truncate_wal(self) -> bool:
        with internals.datastore(self.recorder).get_connection(commit=True) as connection:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = cursor.fetchone()[0]
        return int(busy) == 0

    @contextmanager
    def append(self) -> Iterator[Any]:
        # BEGIN IMMEDIATE takes the file's write lock up front, so what the transaction reads
        # stays true until it commits; the library's transactions begin deferred.
        with (internals.datastore(self.recorder).get_connection(commit=True) as connection,
              _begun(connection, "BEGIN IMMEDIATE", commit=True) as cursor):
            yield cursor


class PostgreSQL(Dialect):
    name = "postgres"
    postgres = True
    position = "notification_id"
    placeholder = "%s"
    blob = "BYTEA"

    def qualified(self, table: str) -> str:
        return f'"{internals.datastore(self.recorder).schema}"."{table}"'

    @contextmanager
    def append(self) -> Iterator[Any]:
        with self.write() as cursor:
            # The recorder's own lock and notification: appends stay in commit order, and
            # subscribers hear of them, exactly as for events it writes itself.
            internals.lock_events_table(self.recorder, cursor)
            internals.notify_listeners(self.recorder, cursor)
            yield cursor

    def serialise(self, cursor: Any, key: str) -> None:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (key,))

    def stream(self, statement: str, params: tuple[Any, ...], size: int) -> Iterator[tuple[Any, ...]]:
        """Rows of one server-side cursor, fetched `size` at a time: paging with LIMIT would
        make the server scan the table again for every page."""
        from psycopg.rows import tuple_row

        with internals.datastore(self.recorder).get_connection() as connection, connection.transaction():
            cursor = connection.cursor(name="konkurs_stream", row_factory=tuple_row)
            cursor.itersize = size
            cursor.execute(statement, params)
            yield from cursor

    def values(self, row: Any) -> tuple[Any, ...]:
        """The datastore's cursors give dicts."""
        return tuple(row.values()) if isinstance(row, dict) else tuple(row)


class Memory(Dialect):
    """No events table: the log is read through the recorder's own methods."""

    name = "memory"
    memory = True

    @property
    def events_table(self) -> str:
        raise TypeError("the in-memory store has no events table to query")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Cursor]:
        with self._side(commit=False) as cursor:
            yield cursor

    @contextmanager
    def write(self) -> Iterator[sqlite3.Cursor]:
        with self._side(commit=True) as cursor:
            yield cursor

    @contextmanager
    def append(self) -> Iterator[None]:
        with internals.memory_lock(self.recorder):
            yield None

    @contextmanager
    def _side(self, *, commit: bool) -> Iterator[sqlite3.Cursor]:
        connection, lock = _side_tables(self.recorder)
        with lock, _begun(connection, "BEGIN", commit=commit) as cursor:
            yield cursor


@contextmanager
def _begun(connection: Any, begin: str, *, commit: bool) -> Iterator[Any]:
    """A cursor in a transaction begun with `begin`: rolled back on an error, else committed or,
    when `commit` is false, rolled back."""
    cursor = connection.cursor()
    cursor.execute(begin)
    try:
        yield cursor
    except BaseException:
        connection.rollback()
        raise
    if commit:
        connection.commit()
    else:
        connection.rollback()


_SIDE: WeakKeyDictionary[Any, tuple[sqlite3.Connection, threading.RLock]] = WeakKeyDictionary()
_SIDE_LOCK = threading.Lock()


def _side_tables(recorder: Any) -> tuple[sqlite3.Connection, threading.RLock]:
    """The in-memory store's side tables: gone with its recorder, like its events."""
    with _SIDE_LOCK:
        if recorder not in _SIDE:
            connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            _SIDE[recorder] = (connection, threading.RLock())
        return _SIDE[recorder]
