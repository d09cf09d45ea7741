"""Ballots in bulk, straight against the recorder's table.

Writing: skip the ids already in the log and insert the rest, in one transaction that no other
writer can interleave with.

Exactly-once rests on the store's primary key (originator id, version): a ballot's id is the
uuid5 of (contest, nomination, voter pseudonym), so a second ballot of the same voter in the
same nomination has the same key. The existence check and the insert run under the writer
lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's table lock that the recorder takes, the in-memory
recorder's own lock), so two writers cannot both find an id free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from store.dialect import Dialect, Memory, PostgreSQL

CHUNK = 900  # SQLite's oldest builds allow 999 parameters per statement
CACHE_KIB = 512 * 1024

Build = Callable[[set[str]], Sequence[StoredEvent]]


def insert_new(dialect: Dialect, candidate_ids: Sequence[str], build: Build) -> None:
    """Find which candidate ids exist, let `build` make the events to insert, insert them.

    `candidate_ids` are ids as 32 hex digits; `build` gets the ones already recorded."""
    if isinstance(dialect, PostgreSQL):
        _postgres(dialect, candidate_ids, build)
    elif isinstance(dialect, Memory):
        _memory(dialect, candidate_ids, build)
    else:
        _sqlite(dialect, candidate_ids, build)


def _sqlite(dialect: Dialect, candidate_ids: Sequence[str], build: Build) -> None:
    table = dialect.events_table
    with dialect.append() as raw:
        # The key index of millions of random ids must stay in memory for lookups to be cheap.
        raw.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        existing: set[str] = set()
        for start in range(0, len(candidate_ids), CHUNK):
            chunk = candidate_ids[start:start + CHUNK]
            raw.execute(f"SELECT originator_id FROM {table} WHERE originator_id IN "
                        f"({dialect.marks(len(chunk))}) AND originator_version = 1", chunk)
            existing.update(row[0] for row in raw.fetchall())
        # Ballots need no notification ids back, so one executemany replaces the
        # recorder's row-at-a-time insert.
        raw.executemany(f"INSERT INTO {table} VALUES ({dialect.marks(4)})", [
            (_hex(e.originator_id), e.originator_version, e.topic, e.state) for e in build(existing)
        ])


def _postgres(dialect: PostgreSQL, candidate_ids: Sequence[str], build: Build) -> None:
    table = dialect.events_table
    with dialect.append() as cursor:
        cursor.execute(f"SELECT originator_id FROM {table} WHERE originator_id = ANY(%s::uuid[]) "
                       "AND originator_version = 1", (list(candidate_ids),))
        existing = {row["originator_id"].hex for row in cursor.fetchall()}
        with cursor.copy(f"COPY {table} (originator_id, originator_version, topic, state) "
                         "FROM STDIN") as rows:
            for event in build(existing):
                rows.write_row((_hex(event.originator_id), event.originator_version, event.topic,
                                event.state))


def _memory(dialect: Memory, candidate_ids: Sequence[str], build: Build) -> None:
    """The recorder's own insert, under its lock: checked and appended whole, or not at all."""
    recorder = dialect.recorder
    with dialect.append():
        existing = {key for key in candidate_ids if recorder.select_events(UUID(key), lte=1)}
        recorder.insert_events([
            StoredEvent(_uuid(e.originator_id), e.originator_version, e.topic, e.state)
            for e in build(existing)
        ])


def _hex(originator_id: Any) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else str(originator_id)


def _uuid(originator_id: Any) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
