"""The chain's tables: the events read raw in log order, and the links kept beside them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from domain.ids import uuid_bytes
from domain.rules.chain import GENESIS, ChainRow
from store.dialect import Dialect
from store.log import LogReader, RawRow, keyset_pages

TABLE = "chain_links"
PAGE_ROWS = 20_000


@dataclass(frozen=True)
class ChainHead:
    position: int
    link: bytes

    @property
    def hex(self) -> str:
        return self.link.hex()


def chain_pages(reader: LogReader, start: int) -> Iterator[list[ChainRow]]:
    """The log from `start` read raw, a page at a time, each event as the chain hashes it: the
    chain needs the stored bytes exactly, and a million rows as library objects would cost more
    than hashing them."""
    for page in reader.row_pages(start, PAGE_ROWS):
        yield [_chain_row(row) for row in page]


def _chain_row(row: RawRow) -> ChainRow:
    position, originator, version, topic, state = row
    return ChainRow(position, uuid_bytes(originator), version, topic, stored_bytes(state))


def stored_bytes(state: Any) -> bytes:
    """A row edited by hand in SQLite can come back as text rather than a blob: hash its
    bytes all the same, so the edit shows as an edit rather than stopping the check."""
    return state.encode() if isinstance(state, str) else bytes(state)


class LinkTable:
    """The `chain_links` table in the store's own database: SQLite file or PostgreSQL schema
    (the in-memory store keeps it in an SQLite database in memory)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.name = self.dialect.qualified(TABLE)
        self.mark = self.dialect.placeholder
        with self.dialect.write() as cursor:
            # Concurrent CREATE … IF NOT EXISTS collide on PostgreSQL: take turns.
            self.dialect.serialise(cursor, "konkurs.chain_links")
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.name} "
                           f"(position BIGINT PRIMARY KEY, link {self.dialect.blob} NOT NULL)")

    def head(self) -> ChainHead:
        rows = self._select(f"SELECT position, link FROM {self.name} "
                            "ORDER BY position DESC LIMIT 1")
        return ChainHead(rows[0][0], rows[0][1]) if rows else ChainHead(0, GENESIS)

    def at(self, position: int) -> bytes | None:
        rows = self._select(f"SELECT position, link FROM {self.name} WHERE position = {position:d}")
        return rows[0][1] if rows else None

    def pages(self) -> Iterator[Sequence[tuple[int, bytes]]]:
        return keyset_pages(lambda first: self._select(
            f"SELECT position, link FROM {self.name} WHERE position >= {first:d} "
            f"ORDER BY position LIMIT {PAGE_ROWS}"), 1, PAGE_ROWS, _first)

    def all(self) -> dict[int, bytes]:
        return dict(self._select(f"SELECT position, link FROM {self.name}"))

    def append(self, links: Sequence[tuple[int, bytes]]) -> None:
        """A link is a function of the log alone, so two extenders at once write the same rows:
        the second one's are dropped rather than refused."""
        with self.dialect.write() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.name} (position, link) VALUES ({self.mark}, {self.mark}) "
                "ON CONFLICT (position) DO NOTHING", links)

    def _select(self, statement: str) -> list[tuple[int, bytes]]:
        with self.dialect.read() as cursor:
            cursor.execute(statement)
            return [_pair(self.dialect.values(row)) for row in cursor.fetchall()]


def _pair(row: tuple[Any, ...]) -> tuple[int, bytes]:
    position, link = row
    return int(position), bytes(link)


def _first(pair: tuple[int, bytes]) -> int:
    return pair[0]
