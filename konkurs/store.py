"""The store factory: the one place that decides which event store the application opens."""

from __future__ import annotations

import random
import time

from eventsourcing.persistence import IntegrityError, InternalError, ProgrammingError

from domain.konkurs import Konkurs
from konkurs.settings import Settings

ATTEMPTS = 10


def open_store(settings: Settings) -> Konkurs:
    """Open the store; on PostgreSQL, again if peers starting at the same moment collide.

    Every process runs the library's `CREATE … IF NOT EXISTS` and `CREATE OR REPLACE FUNCTION`
    on opening; PostgreSQL refuses concurrent runs of them ("tuple concurrently updated", a
    duplicate key in pg_type, "relation already exists"), so of N workers started together some
    would fail. A real misconfiguration still fails, after the last attempt.
    """
    for attempt in range(1, ATTEMPTS):
        try:
            return Konkurs(env=settings.store_env())
        except (IntegrityError, InternalError, ProgrammingError):
            if not settings.uses_postgres:
                raise
            time.sleep(random.uniform(0.05, 0.25) * attempt)
    return Konkurs(env=settings.store_env())
