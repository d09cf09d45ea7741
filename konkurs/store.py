"""The store factory: the one place that decides which event store the application opens."""

from __future__ import annotations

from domain.konkurs import Konkurs
from konkurs.settings import Settings


def open_store(settings: Settings) -> Konkurs:
    return Konkurs(env=settings.store_env())
