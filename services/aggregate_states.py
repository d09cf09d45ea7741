"""Many aggregates' events in one read, as plain JSON states: a page that lists a hundred
submissions and cards asks the store once instead of rebuilding a hundred aggregates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from store.application import StoreApplication
from store.dialect import PostgreSQL, SQLite

CHUNK = 500  # below SQLite's limit of bound parameters


def event_states(store: StoreApplication, ids: Sequence[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """Each aggregate's event states (upcast, personal fields opened) in version order; an
    aggregate with no events is absent."""
    dialect, decode = store.dialect, store.reader.mapper.decode_state
    rows: list[tuple[Any, ...]] = []
    if isinstance(dialect, PostgreSQL | SQLite):
        select = (f"SELECT originator_id, originator_version, topic, state FROM {dialect.events_table} "
                  "WHERE originator_id ")
        with dialect.read() as cursor:
            if isinstance(dialect, PostgreSQL):
                cursor.execute(select + "= ANY(%s::uuid[])", ([i.hex for i in ids],))
                rows = [dialect.values(row) for row in cursor.fetchall()]
            for start in range(0, len(ids), CHUNK) if isinstance(dialect, SQLite) else ():
                chunk = [i.hex for i in ids[start:start + CHUNK]]
                cursor.execute(select + f"IN ({dialect.marks(len(chunk))})", chunk)
                rows += [tuple(row) for row in cursor.fetchall()]
    else:
        rows = [(i, event.originator_version, event.topic, event.state)
                for i in ids for event in store.recorder.select_events(i)]
    found: dict[UUID, list[tuple[int, dict[str, Any]]]] = {}
    for originator, version, topic, state in rows:
        key = originator if isinstance(originator, UUID) else UUID(originator)
        found.setdefault(key, []).append((version, decode(bytes(state), topic)))
    return {key: [state for _, state in sorted(events, key=lambda pair: pair[0])]
            for key, events in found.items()}
