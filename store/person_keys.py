"""Each natural person's key, in a table of its own beside the log: mutable and not chained, so
that deleting a row erases what the log sealed under it without changing a stored byte.

Keys are named by the aggregate that records the person (an expert, a submission). SQLite
writes this table with `secure_delete` on, so a deleted key is overwritten in the file, not
left in a free page; `purge` then empties the write-ahead log that still holds its old pages.
On PostgreSQL a deleted row stays in its page until VACUUM runs: that is the DBA's to schedule.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from store.dialect import Dialect
from store.secret_box import new_key

TABLE = "person_keys"
CHUNK = 900  # SQLite's oldest builds allow 999 parameters per statement
CACHE_SECONDS = 5.0
"""How long a process trusts what it read of a key: a forget elsewhere shows within this."""


def person_of(aggregate_id: UUID) -> str:
    return aggregate_id.hex


class PersonKeys:
    def __init__(self, dialect: Dialect, clock: Callable[[], float] = time.monotonic) -> None:
        self.dialect = dialect
        self.name = dialect.qualified(TABLE)
        self.mark = dialect.placeholder
        self._clock = clock
        self._cache: dict[str, tuple[float, bytes | None]] = {}
        self._lock = threading.Lock()
        with self.dialect.write() as cursor:
            # Concurrent CREATE … IF NOT EXISTS collide on PostgreSQL: take turns.
            self.dialect.serialise(cursor, "konkurs.person_keys")
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {self.name} "
                           f"(person TEXT PRIMARY KEY, key {self.dialect.blob} NOT NULL)")

    def key(self, person: str) -> bytes | None:
        """The person's key, or None once it is destroyed."""
        with self._lock:
            cached = self._cache.get(person)
        if cached is not None and self._clock() - cached[0] < CACHE_SECONDS:
            return cached[1]
        found = self._read([person]).get(person)
        self._remember({person: found})
        return found

    def key_for_writing(self, person: str) -> bytes:
        key = self.key(person)
        if key is None:
            self.ensure([person])
            key = self._read([person])[person]
            self._remember({person: key})
        return key

    def ensure(self, persons: Iterable[str]) -> None:
        """Give every one of `persons` a key, in one transaction; existing keys stay.

        Not inside an appending transaction: on SQLite that holds the file's one write lock."""
        wanted = sorted(set(persons))
        found = self._read(wanted)
        missing = [p for p in wanted if p not in found]
        if missing:
            with self._writing() as cursor:
                cursor.executemany(
                    f"INSERT INTO {self.name} (person, key) VALUES ({self.mark}, {self.mark}) "
                    "ON CONFLICT (person) DO NOTHING", [(p, new_key()) for p in missing])
            found.update(self._read(missing))
        self._remember(found)

    def held(self, persons: Iterable[str]) -> list[str]:
        """Which of `persons` still have a key, read afresh."""
        found = self._read(sorted(set(persons)))
        return sorted(found)

    def destroy(self, persons: Iterable[str]) -> None:
        """Delete the keys of `persons`: what was sealed under them reads as erased from now on."""
        doomed = sorted(set(persons))
        with self._writing() as cursor:
            for start in range(0, len(doomed), CHUNK):
                chunk = doomed[start:start + CHUNK]
                cursor.execute(f"DELETE FROM {self.name} WHERE person IN ({self.dialect.marks(len(chunk))})",
                               chunk)
        self._remember(dict.fromkeys(doomed))

    def purge(self) -> bool:
        """Move the log's pages out of the write-ahead log and empty it, so destroyed keys leave
        every file; False when a reader in another process kept it from finishing."""
        return self.dialect.truncate_wal()

    def _read(self, persons: list[str]) -> dict[str, bytes]:
        rows: list[tuple[Any, ...]] = []
        with self.dialect.read() as cursor:
            for start in range(0, len(persons), CHUNK):
                chunk = persons[start:start + CHUNK]
                cursor.execute(f"SELECT person, key FROM {self.name} "
                               f"WHERE person IN ({self.dialect.marks(len(chunk))})", chunk)
                rows += [self.dialect.values(row) for row in cursor.fetchall()]
        return {str(person): bytes(key) for person, key in rows}

    @contextmanager
    def _writing(self) -> Iterator[Any]:
        """A write transaction that overwrites what it deletes (SQLite) rather than freeing it."""
        with self.dialect.write() as cursor:
            if not self.dialect.postgres:
                cursor.execute("PRAGMA secure_delete = ON")
            yield cursor

    def _remember(self, keys: Mapping[str, bytes | None]) -> None:
        now = self._clock()
        with self._lock:
            self._cache.update((person, (now, key)) for person, key in keys.items())

