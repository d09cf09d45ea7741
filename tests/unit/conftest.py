"""The unit tier opens no database file: its stores are in memory (or PostgreSQL's, when the
run asks for it), and a test that opens a file fails here rather than passing slowly."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import backend_of

DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3", ".db-wal", ".db-shm")


@pytest.fixture(autouse=True)
def no_database_file(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    if backend_of(request.config, request.node.path) == "sqlite":
        yield  # the run chose SQLite for every tier
        return
    connect = sqlite3.connect

    def in_memory_only(database: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        name = str(database)
        if name != ":memory:" and not (name.startswith("file:") and "mode=memory" in name):
            pytest.fail(f"a unit test opened the database file {name}: it belongs in tests/integration")
        return connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", in_memory_only)
    root: Path | None = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if root is not None:
        made = [path for path in root.rglob("*") if path.name.endswith(DATABASE_SUFFIXES)]
        assert not made, f"a unit test left database files: {made}"
