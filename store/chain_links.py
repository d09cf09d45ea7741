"""The chain's tables: the events read raw in log order, and the links kept beside them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from domain.rules.chain import GENESIS, ChainRow

_Row = TypeVar("_Row", bound=tuple[Any, ...])

TABLE = "chain_links"
PAGE_ROWS = 20_000


@dataclass(frozen=True)
class ChainHead:
    position: int
    link: bytes

    @property
    def hex(self) -> str:
        return self.link.hex()


class EventTable:
    """The recorder's events table read raw, a page at a time in log order: the chain needs the
    stored bytes exactly, and a million rows as library objects would cost more than hashing them."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        self.postgres = _is_postgres(recorder)
        self.name = (f'"{self.datastore.schema}".{recorder.events_table_name}' if self.postgres
                     else recorder.events_table_name)
        self.position = "notification_id" if self.postgres else "rowid"

    def pages(self, start: int) -> Iterator[list[ChainRow]]:
        mark = "%s" if self.postgres else "?"
        statement = (f"SELECT {self.position}, originator_id, originator_version, topic, state "
                     f"FROM {self.name} WHERE {self.position} >= {mark} "
                     f"ORDER BY {self.position} LIMIT {PAGE_ROWS}")

        def page_from(first: int) -> list[ChainRow]:
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute(statement, (first,))
                return [_chain_row(row) for row in cursor.fetchall()]

        return _pages(page_from, start)


def _pages(page_from: Callable[[int], list[_Row]], start: int) -> Iterator[list[_Row]]:
    """Pages of rows in position order (each row's first field), each read from where the last
    ended: PAGE_ROWS at a time, so no page makes the database skip over the ones before."""
    while True:
        page = page_from(start)
        if page:
            yield page
        if len(page) < PAGE_ROWS:
            return
        start = page[-1][0] + 1


def _values(row: Any) -> tuple[Any, ...]:
    """PostgreSQL's cursors give dicts, SQLite's tuples."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def _chain_row(row: Any) -> ChainRow:
    position, originator, version, topic, state = _values(row)
    return ChainRow(position, _id_bytes(originator), version, topic, _stored_bytes(state))


def _id_bytes(originator: UUID | str) -> bytes:
    """PostgreSQL gives a UUID; SQLite the text it stored, with or without dashes. Not parsed
    into a UUID (as `originator_uuid` does for readers): a million of those cost a second."""
    return originator.bytes if isinstance(originator, UUID) else bytes.fromhex(originator.replace("-", ""))


def _stored_bytes(state: Any) -> bytes:
    """A row edited by hand in SQLite can come back as text rather than a blob: hash its
    bytes all the same, so the edit shows as an edit rather than stopping the check."""
    return state.encode() if isinstance(state, str) else bytes(state)


def _is_postgres(recorder: Any) -> bool:
    return type(recorder).__module__.startswith("eventsourcing.postgres")


class LinkTable:
    """The `chain_links` table in the store's own database: SQLite file or PostgreSQL schema."""

    def __init__(self, recorder: Any) -> None:
        self.datastore = recorder.datastore
        postgres = _is_postgres(recorder)
        self.name = f'"{self.datastore.schema}".{TABLE}' if postgres else TABLE
        self.mark = "%s" if postgres else "?"
        blob = "BYTEA" if postgres else "BLOB"
        with self.datastore.transaction(commit=True) as cursor:
            if postgres:  # concurrent CREATE … IF NOT EXISTS collide there; take turns
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('konkurs.chain_links'))")
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.name} "
                           f"(position BIGINT PRIMARY KEY, link {blob} NOT NULL)")

    def head(self) -> ChainHead:
        rows = self._select(f"SELECT position, link FROM {self.name} "
                            "ORDER BY position DESC LIMIT 1")
        return ChainHead(rows[0][0], rows[0][1]) if rows else ChainHead(0, GENESIS)

    def at(self, position: int) -> bytes | None:
        rows = self._select(f"SELECT position, link FROM {self.name} WHERE position = {position:d}")
        return rows[0][1] if rows else None

    def pages(self) -> Iterator[list[tuple[int, bytes]]]:
        return _pages(lambda first: self._select(
            f"SELECT position, link FROM {self.name} WHERE position >= {first:d} "
            f"ORDER BY position LIMIT {PAGE_ROWS}"), 1)

    def all(self) -> dict[int, bytes]:
        return dict(self._select(f"SELECT position, link FROM {self.name}"))

    def append(self, links: Sequence[tuple[int, bytes]]) -> None:
        """A link is a function of the log alone, so two extenders at once write the same rows:
        the second one's are dropped rather than refused."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(
                f"INSERT INTO {self.name} (position, link) VALUES ({self.mark}, {self.mark}) "
                "ON CONFLICT (position) DO NOTHING", links)

    def _select(self, statement: str) -> list[tuple[int, bytes]]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement)
            return [_pair(row) for row in cursor.fetchall()]


def _pair(row: Any) -> tuple[int, bytes]:
    position, link = _values(row)
    return int(position), bytes(link)
