"""The recorders' attributes outside the library's recorder interface: used here and only here.

Written against eventsourcing `WRITTEN_FOR`; tests/unit/test_recorder_internals.py fails when the
installed version's major.minor differs or any attribute named in `INTERNALS` is gone, so an
upgrade is a deliberate change of this module rather than a surprise in production.
"""

from __future__ import annotations

from importlib.metadata import version
from threading import RLock
from typing import Any

WRITTEN_FOR = "9.5"

# recorder class (by topic) → the attributes this module relies on
INTERNALS: dict[str, tuple[str, ...]] = {
    "eventsourcing.sqlite:SQLiteApplicationRecorder": ("datastore", "events_table_name"),
    "eventsourcing.postgres:PostgresApplicationRecorder": (
        "datastore", "events_table_name", "_lock_table", "_notify_channel"),
    "eventsourcing.popo:POPOApplicationRecorder": ("_database_lock",),
}


def installed() -> str:
    """The installed eventsourcing's major.minor."""
    return ".".join(version("eventsourcing").split(".")[:2])


def datastore(recorder: Any) -> Any:
    """The SQLite or PostgreSQL datastore: its connections and transactions."""
    return recorder.datastore


def events_table_name(recorder: Any) -> str:
    name: str = recorder.events_table_name
    return name


def lock_events_table(recorder: Any, cursor: Any) -> None:
    """PostgreSQL: the lock the recorder takes to keep insert order the same as commit order."""
    recorder._lock_table(cursor)


def notify_listeners(recorder: Any, cursor: Any) -> None:
    """PostgreSQL: the NOTIFY that wakes the recorder's subscriptions when the transaction commits."""
    recorder._notify_channel(cursor)


def memory_lock(recorder: Any) -> RLock:
    """POPO: the lock the recorder holds while it checks and appends; re-entrant, so its own
    `insert_events` can run inside."""
    lock: RLock = recorder._database_lock
    return lock
