"""Fresh event stores for tests, on the backend the run chose: `pytest --store=sqlite|postgres|memory`.

Every store a test asks for is named by the SQLite file it would be on the embedded default.
On SQLite that file is the store; on PostgreSQL each distinct file stands for a database of its
own, created for the test and dropped (connections and all) when the test ends; in memory, for a
store every application opened on that name shares, forgotten when the test ends.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from konkurs.settings import Settings
from tests import memory_store

BACKENDS = ("sqlite", "postgres", "memory")
SQLITE = "eventsourcing.sqlite"
POSTGRES = "eventsourcing.postgres"
PREFIX = "konkurs_test_"


class PostgresServer:
    """The server named by POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and
    POSTGRES_DBNAME (a database to connect to for creating and dropping the test databases)."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.env = {k: v for k, v in environ.items() if k.startswith("POSTGRES_")}

    @classmethod
    def from_environ(cls) -> PostgresServer | None:
        return cls(dict(os.environ)) if "POSTGRES_HOST" in os.environ else None

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            host=self.env["POSTGRES_HOST"], port=self.env.get("POSTGRES_PORT", "5432"),
            user=self.env.get("POSTGRES_USER", "postgres"), password=self.env.get("POSTGRES_PASSWORD", ""),
            dbname=self.env.get("POSTGRES_DBNAME", "postgres"), autocommit=True)

    def store_env(self, dbname: str) -> dict[str, str]:
        return {**self.env, "PERSISTENCE_MODULE": POSTGRES, "POSTGRES_DBNAME": dbname}

    def create(self) -> str:
        name = f"{PREFIX}{uuid.uuid4().hex[:12]}"
        with self._admin() as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return name

    def drop(self, *names: str) -> None:
        with self._admin() as connection:
            for name in names:
                connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


class Stores:
    """Hands one test the eventsourcing environments of fresh stores and removes them afterwards."""

    def __init__(self, backend: str, server: PostgresServer | None) -> None:
        self.backend = backend
        self.server = server
        self._databases: dict[Path, str] = {}
        self._memory: set[str] = set()

    def env(self, sqlite_file: Path) -> dict[str, str]:
        """The store that would be `sqlite_file` on the embedded default; the same file, the same
        store."""
        if self.backend == "sqlite":
            return {"PERSISTENCE_MODULE": SQLITE, "SQLITE_DBNAME": str(sqlite_file)}
        if self.backend == "memory":
            name = str(sqlite_file)
            self._memory.add(name)
            return {"PERSISTENCE_MODULE": memory_store.TOPIC, memory_store.STORE_NAME: name}
        assert self.server is not None
        if sqlite_file not in self._databases:
            self._databases[sqlite_file] = self.server.create()
        return self.server.store_env(self._databases[sqlite_file])

    def close(self) -> None:
        for name in self._memory:
            memory_store.forget(name)
        self._memory.clear()
        if self.server is not None and self._databases:
            self.server.drop(*self._databases.values())
        self._databases.clear()


def stored_states(env: dict[str, str]) -> bytes:
    """Every stored event's state, as the bytes on disk: what someone reading the store's files
    or tables without the application would see."""
    if env["PERSISTENCE_MODULE"] == SQLITE:
        import sqlite3

        with sqlite3.connect(env["SQLITE_DBNAME"]) as connection:
            return b"".join(row[0] for row in connection.execute("SELECT state FROM stored_events"))
    import psycopg

    with psycopg.connect(host=env["POSTGRES_HOST"], port=env.get("POSTGRES_PORT", "5432"),
                         user=env.get("POSTGRES_USER", "postgres"),
                         password=env.get("POSTGRES_PASSWORD", ""),
                         dbname=env["POSTGRES_DBNAME"]) as connection:
        return b"".join(bytes(row[0]) for row in connection.execute(
            "SELECT state FROM konkurs_events ORDER BY notification_id"))


def services_of_home(env: dict[str, str], home: Path) -> Any:
    """Services over `env`'s store that sign as the CLI and the worker of `home` do, so what a
    test writes in process passes the same audit as what they write."""
    from services.konkurs import Konkurs

    return Konkurs(env=env, signing_key=Settings(home=home, persistence_module="",
                                                 production=False).signing_key)
