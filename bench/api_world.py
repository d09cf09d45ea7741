"""The stores bench/api.py serves: a fresh store under a KONKURS_HOME of its own (SQLite there, or a
PostgreSQL database made for it and dropped afterwards), a contest brought in-process to the phase
the load needs, bearer tokens for the callers, and the count of ballots stored."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.utils import get_topic

from domain.actors import Role, Scope
from domain.aggregates import Ballot
from domain.commands.credentials import IssueToken
from konkurs.bootstrap import Bootstrap
from konkurs.settings import Settings
from services.konkurs import Konkurs
from store.dialect import Dialect
from tests.factories import OPERATOR
from tests.stores import PostgresServer
from tests.unit.permissions import World

SQLITE = "eventsourcing.sqlite"


@dataclass(frozen=True)
class Store:
    world: World
    boot: Bootstrap
    env: dict[str, str]  # what a server process needs in its environment to serve this store

    def token(self, role: Role, name: str, scope: Scope) -> str:
        issued = self.boot.services.credentials.issue(IssueToken(role=role, id=name, scope=scope,
                                                                 actor=OPERATOR))
        return issued.token

    def stored_ballots(self) -> int:
        """Accepted ballots in the log, counted by the database itself."""
        dialect = Dialect.of(self.boot.services.store.recorder)
        with dialect.read() as cursor:
            cursor.execute(f"SELECT count(*) FROM {dialect.events_table} WHERE topic = {dialect.placeholder}",
                           (get_topic(Ballot.Cast),))
            (count,) = dialect.values(cursor.fetchone())
        return int(count)

    def files_stored(self) -> int:
        """Submissions' files on disk (an upload in progress is a hidden temporary file)."""
        return sum(1 for path in self.boot.settings.materials_path.rglob("*")
                   if path.is_file() and not path.name.startswith("."))

    def settled_ballots(self) -> int:
        """The count once it stops moving: a load generator that stops abandons the requests it
        has in flight, and the server still commits them."""
        count = self.stored_ballots()
        for _ in range(50):
            time.sleep(0.2)
            count, previous = self.stored_ballots(), count
            if count == previous:
                break
        return count


@contextmanager
def prepared(home: Path, postgres: PostgresServer | None,
             state: Callable[[Konkurs], World]) -> Iterator[Store]:
    """A store brought to `state`, open in this process for as long as the servers use it."""
    with _store_env(home, postgres) as store_env:
        settings = Settings(home=home, persistence_module=store_env["PERSISTENCE_MODULE"], production=False)
        boot = Bootstrap(settings, store_env=store_env)
        try:
            yield Store(state(boot.services), boot, {"KONKURS_HOME": str(home), **store_env})
        finally:
            boot.close()


@contextmanager
def _store_env(home: Path, postgres: PostgresServer | None) -> Iterator[dict[str, str]]:
    if postgres is None:
        yield Settings(home=home, persistence_module=SQLITE, production=False).store_env()
        return
    database = postgres.create()
    try:
        yield postgres.store_env(database)
    finally:
        postgres.drop(database)
