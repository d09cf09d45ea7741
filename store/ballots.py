"""Ballots in bulk, straight against the recorder's table.

Writing: skip the ids already in the log and insert the rest, in one transaction that no other
writer can interleave with.

Exactly-once rests on the store's primary key (originator id, version): a ballot's id is the
uuid5 of (contest, nomination, voter pseudonym), so a second ballot of the same voter in the
same nomination has the same key. The existence check and the insert run under the writer
lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's table lock that the recorder takes), so two
processes cannot both find an id free.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent

CHUNK = 900  # SQLite's oldest builds allow 999 parameters per statement
CACHE_KIB = 512 * 1024

Build = Callable[[set[str]], Sequence[StoredEvent]]


def insert_new(recorder: ApplicationRecorder, candidate_ids: Sequence[str], build: Build) -> None:
    """`candidate_ids` are ids as 32 hex digits; `build` gets the ones already recorded."""
    """Find which candidate ids exist, let `build` make the events to insert, insert them."""
    if type(recorder).__module__.startswith("eventsourcing.postgres"):
        _postgres(recorder, candidate_ids, build)
    else:
        _sqlite(recorder, candidate_ids, build)


def _sqlite(recorder: Any, candidate_ids: Sequence[str], build: Build) -> None:
    table = recorder.events_table_name
    with recorder.datastore.get_connection(commit=True) as connection:
        raw = connection.cursor()
        # The key index of millions of random ids must stay in memory for lookups to be cheap.
        raw.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        raw.execute("BEGIN IMMEDIATE")
        try:
            existing: set[str] = set()
            for start in range(0, len(candidate_ids), CHUNK):
                chunk = candidate_ids[start:start + CHUNK]
                marks = ",".join("?" * len(chunk))
                raw.execute(f"SELECT originator_id FROM {table} WHERE originator_id IN ({marks}) "
                            "AND originator_version = 1", chunk)
                existing.update(row[0] for row in raw.fetchall())
            # Ballots need no notification ids back, so one executemany replaces the
            # recorder's row-at-a-time insert.
            raw.executemany(f"INSERT INTO {table} VALUES (?,?,?,?)", [
                (e.originator_id.hex if isinstance(e.originator_id, UUID) else e.originator_id,
                 e.originator_version, e.topic, e.state)
                for e in build(existing)
            ])
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


def _postgres(recorder: Any, candidate_ids: Sequence[str], build: Build) -> None:
    from psycopg.sql import SQL, Identifier

    names = {"schema": Identifier(recorder.datastore.schema),
             "table": Identifier(recorder.events_table_name)}
    select = SQL("SELECT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s::uuid[]) "
                 "AND originator_version = 1").format(**names)
    copy = SQL("COPY {schema}.{table} (originator_id, originator_version, topic, state) "
               "FROM STDIN").format(**names)
    with recorder.datastore.transaction(commit=True) as cursor:
        # The recorder's own lock and notification: inserts stay in commit order, and
        # subscribers hear of them, exactly as for events it writes itself.
        recorder._lock_table(cursor)
        recorder._notify_channel(cursor)
        cursor.execute(select, (list(candidate_ids),))
        existing = {row["originator_id"].hex for row in cursor.fetchall()}
        with cursor.copy(copy) as rows:
            for event in build(existing):
                originator = event.originator_id
                rows.write_row((originator.hex if isinstance(originator, UUID) else originator,
                                event.originator_version, event.topic, event.state))


def topic_states(
    recorder: ApplicationRecorder, topic: str, start: int = 1, stop: int | None = None,
    page: int = 50_000,
) -> Iterator[tuple[int, bytes]]:
    """(position, stored state) of one topic in log order, read without building objects:
    a recount of millions is bound by this loop."""
    if type(recorder).__module__.startswith("eventsourcing.postgres"):
        yield from _postgres_states(recorder, topic, start, stop, page)
        return
    while True:
        rows = _sqlite_page(recorder, topic, start, stop, page)
        yield from rows
        if len(rows) < page:
            return
        start = rows[-1][0] + 1


def _sqlite_page(
    recorder: Any, topic: str, start: int, stop: int | None, page: int
) -> list[tuple[int, bytes]]:
    statement = f"SELECT rowid, state FROM {recorder.events_table_name} WHERE topic = ? AND rowid >= ?"
    params: list[Any] = [topic, start]
    if stop is not None:
        statement += " AND rowid <= ?"
        params.append(stop)
    with recorder.datastore.transaction(commit=False) as cursor:
        cursor.execute(statement + " ORDER BY rowid LIMIT ?", [*params, page])
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _postgres_states(
    recorder: Any, topic: str, start: int, stop: int | None, page: int
) -> Iterator[tuple[int, bytes]]:
    """One server-side cursor over the whole range: paging with LIMIT would make the server
    scan the table again for every page."""
    from psycopg.rows import tuple_row
    from psycopg.sql import SQL, Identifier

    statement = SQL(
        "SELECT notification_id, state FROM {schema}.{table} WHERE topic = %s "
        "AND notification_id >= %s AND notification_id <= %s ORDER BY notification_id"
    ).format(schema=Identifier(recorder.datastore.schema),
             table=Identifier(recorder.events_table_name))
    with recorder.datastore.get_connection() as connection, connection.transaction():
        cursor = connection.cursor(name="konkurs_topic_states", row_factory=tuple_row)
        cursor.itersize = page
        cursor.execute(statement, (topic, start, stop if stop is not None else 2**62))
        for position, state in cursor:
            yield position, bytes(state)
