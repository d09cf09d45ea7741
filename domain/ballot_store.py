"""Writing ballots in bulk: skip the ids already in the log and insert the rest, in one
transaction that no other writer can interleave with.

Exactly-once rests on the store's primary key (originator id, version): a ballot's id is the
uuid5 of (contest, nomination, voter pseudonym), so a second ballot of the same voter in the
same nomination has the same key. The existence check and the insert run under the writer
lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's table lock that the recorder takes), so two
processes cannot both find an id free.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent

CHUNK = 900  # SQLite's oldest builds allow 999 parameters per statement

Build = Callable[[set[UUID]], Sequence[StoredEvent]]


def insert_new(recorder: ApplicationRecorder, candidate_ids: Sequence[UUID], build: Build) -> None:
    """Find which candidate ids exist, let `build` make the events to insert, insert them."""
    if type(recorder).__module__.startswith("eventsourcing.postgres"):
        _postgres(recorder, candidate_ids, build)
    else:
        _sqlite(recorder, candidate_ids, build)


def _sqlite(recorder: Any, candidate_ids: Sequence[UUID], build: Build) -> None:
    from eventsourcing.sqlite import SQLiteCursor

    table = recorder.events_table_name
    with recorder.datastore.get_connection(commit=True) as connection:
        raw = connection.cursor()
        raw.execute("BEGIN IMMEDIATE")
        try:
            existing: set[UUID] = set()
            for start in range(0, len(candidate_ids), CHUNK):
                chunk = [i.hex for i in candidate_ids[start:start + CHUNK]]
                marks = ",".join("?" * len(chunk))
                raw.execute(f"SELECT originator_id FROM {table} WHERE originator_id IN ({marks}) "
                            "AND originator_version = 1", chunk)
                existing.update(UUID(row[0]) for row in raw.fetchall())
            recorder._insert_events(SQLiteCursor(raw), build(existing))
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


def _postgres(recorder: Any, candidate_ids: Sequence[UUID], build: Build) -> None:
    from psycopg.sql import SQL, Identifier

    statement = SQL(
        "SELECT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s) "
        "AND originator_version = 1"
    ).format(schema=Identifier(recorder.datastore.schema),
             table=Identifier(recorder.events_table_name))
    with recorder.datastore.transaction(commit=True) as cursor:
        recorder._lock_table(cursor)
        cursor.execute(statement, (list(candidate_ids),))
        existing = {UUID(str(row["originator_id"])) for row in cursor.fetchall()}
        recorder._insert_stored_events(cursor, build(existing))
