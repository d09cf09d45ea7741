"""Reading the log: events as plain JSON state with their position, page by page."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

PAGE = 2000


@dataclass(frozen=True)
class LoggedEvent:
    """An event as read straight from the log: its position, aggregate and JSON state."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: dict[str, Any]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Bulk reads and writes make a million short-lived objects; the cyclic collector would
    rescan them again and again for cycles they cannot have."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def logged_event(
    notification: Notification, decode: Callable[[bytes, str], dict[str, Any]]
) -> LoggedEvent:
    """A notification as readers of the log see it: position, aggregate and JSON state."""
    return LoggedEvent(
        position=notification.id,
        originator_id=originator_uuid(notification),
        originator_version=notification.originator_version,
        topic=notification.topic,
        state=decode(notification.state, notification.topic),
    )


def originator_uuid(notification: Notification) -> UUID:
    """Recorders give the originator id as a UUID or as its string, depending on the store."""
    originator_id = notification.originator_id
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)


def topic_of(event_class: type) -> str:
    return get_topic(event_class)
