"""What a view is: named tables kept up to date from the events it handles."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Mapping
from typing import ClassVar, Protocol

from store.log import LoggedEvent, topic_of

Handler = Callable[[sqlite3.Cursor, LoggedEvent], None]


class View(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def events(self) -> tuple[type, ...]: ...

    @property
    def schema(self) -> str: ...

    def create(self, cursor: sqlite3.Cursor) -> None: ...

    def drop(self, cursor: sqlite3.Cursor) -> None: ...

    def apply(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None: ...


def topics(view: View) -> list[str]:
    return [topic_of(event_class) for event_class in view.events]


class TableView:
    """A view given by its table definitions and one handler per event class."""

    name: ClassVar[str]
    tables: ClassVar[Mapping[str, str]]  # table name → column definitions

    def __init__(self) -> None:
        handlers = self.handlers()
        self._events = tuple(handlers)
        self._by_topic = {topic_of(event_class): h for event_class, h in handlers.items()}

    def handlers(self) -> Mapping[type, Handler]:
        raise NotImplementedError

    @property
    def events(self) -> tuple[type, ...]:
        return self._events

    @property
    def schema(self) -> str:
        """A digest of the tables: when it changes, an old views file is rebuilt, not misread."""
        return hashlib.sha256(repr(sorted(self.tables.items())).encode()).hexdigest()[:16]

    def create(self, cursor: sqlite3.Cursor) -> None:
        for table, columns in self.tables.items():
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")

    def drop(self, cursor: sqlite3.Cursor) -> None:
        for table in self.tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def apply(self, cursor: sqlite3.Cursor, logged: LoggedEvent) -> None:
        # Ignoring other topics lets a runner that does not filter by topic feed this view too.
        handler = self._by_topic.get(logged.topic)
        if handler is not None:
            handler(cursor, logged)


def slug_of(cursor: sqlite3.Cursor, table: str, contest_id: object) -> str | None:
    """The slug of a contest announced earlier in the log; later contest events carry only ids."""
    row = cursor.execute(
        f"SELECT slug FROM {table} WHERE contest_id = ?", (str(contest_id),)
    ).fetchone()
    return None if row is None else str(row[0])
