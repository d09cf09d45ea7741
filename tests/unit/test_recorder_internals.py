"""The recorder internals the store adapter relies on are still there, in the version it was
written for: an eventsourcing upgrade fails here first, not in production."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
from eventsourcing.utils import get_topic

from store import recorder_internals
from store.dialect import Dialect, Memory, PostgreSQL, SQLite

HAS_PSYCOPG = importlib.util.find_spec("psycopg") is not None


def test_the_installed_eventsourcing_is_the_version_the_internals_were_written_for() -> None:
    assert recorder_internals.installed() == recorder_internals.WRITTEN_FOR, (
        "eventsourcing changed its major.minor: check every attribute store/recorder_internals.py "
        "uses against the new version, then update WRITTEN_FOR")


def sqlite_recorder() -> Iterator[Any]:
    datastore = SQLiteDatastore(":memory:")
    yield SQLiteApplicationRecorder(datastore, events_table_name="konkurs_events")
    datastore.close()


def postgres_recorder() -> Iterator[Any]:
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    class Offline(PostgresDatastore):
        """No server: the pool opens on first use, and the type adapters are not fetched."""

        def register_type_adapters(self) -> None:
            pass

    datastore = Offline("konkurs", "localhost", 5432, "konkurs", "unused")
    yield PostgresApplicationRecorder(datastore, events_table_name="konkurs_events")
    datastore.close()


def memory_recorder() -> Iterator[Any]:
    yield POPOApplicationRecorder()


RECORDERS = {
    "eventsourcing.sqlite:SQLiteApplicationRecorder": sqlite_recorder,
    "eventsourcing.postgres:PostgresApplicationRecorder": postgres_recorder,
    "eventsourcing.popo:POPOApplicationRecorder": memory_recorder,
}


def test_every_recorder_class_with_internals_is_checked() -> None:
    assert set(recorder_internals.INTERNALS) == set(RECORDERS)


@pytest.mark.parametrize("topic", sorted(RECORDERS))
def test_the_recorders_still_have_the_attributes_the_adapter_uses(topic: str) -> None:
    if "postgres" in topic and not HAS_PSYCOPG:
        pytest.skip("psycopg is not installed: the PostgreSQL recorder cannot be imported")
    for recorder in RECORDERS[topic]():
        assert get_topic(type(recorder)) == topic
        missing = [name for name in recorder_internals.INTERNALS[topic] if not hasattr(recorder, name)]
        assert missing == [], f"{topic} no longer has {missing}: see store/recorder_internals.py"


def test_each_recorder_has_its_dialect() -> None:
    for make, dialect in ((sqlite_recorder, SQLite), (memory_recorder, Memory)):
        for recorder in make():
            assert type(Dialect.of(recorder)) is dialect
    if HAS_PSYCOPG:
        for recorder in postgres_recorder():
            found = Dialect.of(recorder)
            assert isinstance(found, PostgreSQL)
            assert found.events_table == '"public"."konkurs_events"'
            assert (found.position, found.placeholder) == ("notification_id", "%s")
