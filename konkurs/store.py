"""The store factory: the one place that decides which event store the application opens."""

from __future__ import annotations

from domain.konkurs import Konkurs
from konkurs.settings import Settings


def open_store(settings: Settings) -> Konkurs:
    """The application on the store the settings name (peers opening at once are handled by
    `StoreApplication.construct_recorder`)."""
    return Konkurs(env=settings.store_env())
