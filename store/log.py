"""Reading the log: events as plain JSON state with their position, page by page.

`LogReader` is the one reader of the log: services, the chain, time travel, the event tail and
the projections' catch-up all read through it, in keyset pages by position.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification, Subscription
from eventsourcing.utils import get_topic

from store.dialect import Dialect, PostgreSQL

if TYPE_CHECKING:
    from store.mapper import PydanticMapper

PAGE = 2000
STATES_PAGE = 50_000
T = TypeVar("T")
# (position, originator id as the store gives it, version, topic, state as stored)
RawRow = tuple[int, Any, int, str, Any]


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


def keyset_pages(
    page_from: Callable[[int], Sequence[T]], start: int, size: int, position: Callable[[T], int]
) -> Iterator[Sequence[T]]:
    """Pages of at most `size` items in position order, each read from where the last ended, so
    no page makes the store skip over the ones before."""
    while True:
        page = page_from(start)
        if page:
            yield page
        if len(page) < size:
            return
        start = position(page[-1]) + 1


def _row_position(row: tuple[Any, ...]) -> int:
    return int(row[0])


def _notification_id(notification: Notification) -> int:
    return notification.id


class LogReader:
    """The log read a page at a time by position: as `LoggedEvent`s, as one topic's states, as
    the raw rows the chain hashes, or a notification at a time for bisection."""

    def __init__(self, recorder: ApplicationRecorder, mapper: PydanticMapper | None = None) -> None:
        self.recorder = recorder
        self.dialect = Dialect.of(recorder)
        self._mapper = mapper

    @property
    def mapper(self) -> PydanticMapper:
        assert self._mapper is not None, "this reader reads raw rows only"
        return self._mapper

    def head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def pages(
        self, topics: Sequence[str] = (), start: int = 1, stop: int | None = None, size: int = PAGE
    ) -> Iterator[Sequence[Notification]]:
        def page_from(first: int) -> Sequence[Notification]:
            return self.recorder.select_notifications(first, size, stop=stop, topics=topics)

        return keyset_pages(page_from, start, size, _notification_id)

    def events(
        self, topics: Sequence[str] = (), start: int = 1, stop: int | None = None
    ) -> Iterator[LoggedEvent]:
        """Events in log order, decoded to plain JSON state without building models."""
        decode = self.mapper.decode_state
        for page in self.pages(topics, start, stop):
            for notification in page:
                yield logged_event(notification, decode)

    def logged(self, notification: Notification) -> LoggedEvent:
        return logged_event(notification, self.mapper.decode_state)

    def states(
        self, topic: str, start: int = 1, stop: int | None = None
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """(position, state) of one topic in log order, upcast to the topic's class."""
        decode = self.mapper.state_decoder(topic)
        for position, state in self.stored_states(topic, start, stop):
            yield position, decode(state)

    def stored_states(
        self, topic: str, start: int = 1, stop: int | None = None, size: int = STATES_PAGE
    ) -> Iterator[tuple[int, bytes]]:
        """(position, stored state) of one topic in log order, read without building objects:
        a recount of millions is bound by this loop."""
        dialect = self.dialect
        if dialect.memory:
            for page in self.pages([topic], start, stop, size):
                yield from ((n.id, n.state) for n in page)
            return
        table, at, mark = dialect.events_table, dialect.position, dialect.placeholder
        statement = f"SELECT {at}, state FROM {table} WHERE topic = {mark} AND {at} >= {mark}"
        if isinstance(dialect, PostgreSQL):
            statement += f" AND {at} <= {mark} ORDER BY {at}"
            for position, state in dialect.stream(
                    statement, (topic, start, stop if stop is not None else 2**62), size):
                yield position, bytes(state)
            return
        if stop is not None:
            statement += f" AND {at} <= {stop:d}"
        statement += f" ORDER BY {at} LIMIT {size:d}"

        def page_from(first: int) -> list[tuple[int, bytes]]:
            with dialect.read() as cursor:
                cursor.execute(statement, (topic, first))
                return [(row[0], row[1]) for row in cursor.fetchall()]

        for rows in keyset_pages(page_from, start, size, _row_position):
            yield from rows

    def row_pages(self, start: int, size: int) -> Iterator[Sequence[RawRow]]:
        """Every event from `start` on as the store holds it, `size` rows a page."""
        dialect = self.dialect
        if dialect.memory:
            for page in self.pages((), start, None, size):
                yield [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in page]
            return
        at = dialect.position
        statement = (f"SELECT {at}, originator_id, originator_version, topic, state "
                     f"FROM {dialect.events_table} WHERE {at} >= {dialect.placeholder} "
                     f"ORDER BY {at} LIMIT {size:d}")

        def page_from(first: int) -> list[RawRow]:
            with dialect.read() as cursor:
                cursor.execute(statement, (first,))
                return [dialect.values(row) for row in cursor.fetchall()]  # type: ignore[misc]

        yield from keyset_pages(page_from, start, size, _row_position)

    def at(self, position: int, stop: int | None = None) -> Notification | None:
        """The first notification at or after `position` (up to `stop`), if any."""
        found = self.recorder.select_notifications(position, 1, stop=stop)
        return found[0] if found else None

    def backwards(self, end: int, size: int = PAGE) -> Iterator[Notification]:
        """Notifications from `end` back to the first, latest first."""
        while end >= 1:
            start = max(1, end - size + 1)
            yield from reversed(self.recorder.select_notifications(start, size, stop=end))
            end = start - 1

    def first_state(self, originator_id: UUID) -> dict[str, Any] | None:
        """The JSON state of an aggregate's first event, upcast; None when it has none."""
        for stored in self.recorder.select_events(originator_id, lte=1):
            return self.mapper.decode_state(stored.state, stored.topic)
        return None

    def subscribe(self, gt: int | None, topics: Sequence[str] = ()) -> Subscription[ApplicationRecorder]:
        """Notifications after `gt` as the store announces them: the recorder's subscription."""
        return self.recorder.subscribe(gt=gt, topics=topics)
