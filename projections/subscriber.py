"""Named consumers of the public events, each resuming after the position it acknowledged.

A `Subscriber` hands each event to a handler and then acknowledges it: at-least-once, because a
crash between the two delivers that event again. A `ViewSubscriber` hands its handler the views
DB cursor as well and writes the position in the same transaction as the handler's rows: a crash
rolls both back, so its view holds every event exactly once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Generic, TypeVar

from domain.contract import PublicEvent, topics_for
from projections import tracking
from projections.public_events import ContestSlugs, public_event
from projections.views_db import ViewsDB, transaction
from store.application import StoreApplication
from store.log import LoggedEvent

BATCH = 100

Handler = Callable[[PublicEvent], None]
ViewHandler = Callable[[sqlite3.Cursor, PublicEvent], None]
H = TypeVar("H")


def acknowledged(cursor: sqlite3.Cursor | sqlite3.Connection, consumer: str) -> int:
    return tracking.position(cursor, consumer) or 0


def acknowledge(cursor: sqlite3.Cursor, consumer: str, position: int, *, rewind: bool = False) -> None:
    """Record `position` as handled; it only moves forward unless `rewind` says otherwise."""
    tracking.advance(cursor, consumer, position, rewind=rewind)


def forget(cursor: sqlite3.Cursor, consumer: str) -> None:
    """Drop `consumer`'s position: it starts from the beginning if it comes back."""
    tracking.forget(cursor, consumer)


class _Feed(Generic[H]):
    """The events after `name`'s acknowledged position, in log order, handed to `handler`.

    `names` keeps only those public event names; `contest` only that contest's events. A handler
    that raises stops the delivery with that event unacknowledged: it comes again next time.
    """

    def __init__(
        self, name: str, handler: H, *, store: StoreApplication, views_db: ViewsDB,
        names: Iterable[str] = (), contest: str | None = None, batch_size: int = BATCH,
    ) -> None:
        if name.startswith(tracking.VIEW):
            raise ValueError(f"subscriber {name!r}: names starting {tracking.VIEW!r} are the views'")
        self.name = name
        self.handler = handler
        self.store = store
        self.views_db = views_db
        self.contest = contest
        self.batch_size = batch_size
        self._topics = topics_for(names)
        self._slugs = ContestSlugs(store)

    def position(self) -> int:
        with self.views_db.connect() as connection:
            return acknowledged(connection, self.name)

    def rewind(self, position: int = 0, drop: Callable[[sqlite3.Cursor], None] | None = None) -> None:
        """Deliver again from after `position`; `drop` clears a view in the same transaction."""
        with self.views_db.connect() as connection, transaction(connection) as cursor:
            if drop is not None:
                drop(cursor)
            acknowledge(cursor, self.name, position, rewind=True)

    def catch_up(self) -> int:
        """Deliver every event recorded after the acknowledged position; returns how many."""
        handled = 0
        with self.views_db.connect() as connection:
            events = self.store.read_log(self._topics, start=acknowledged(connection, self.name) + 1)
            while batch := list(islice(events, self.batch_size)):
                handled += self._deliver(connection, batch)
        return handled

    def follow(self, stop: threading.Event, interval: float = 0.5) -> int:
        """Catch up, then deliver new events as they are recorded until `stop` is set.

        On PostgreSQL the recorder's LISTEN/NOTIFY subscription wakes us as soon as a
        transaction commits; the SQLite recorder cannot push, so we poll every `interval` s.
        """
        if self.store.dialect.postgres:
            return self._listen(stop)
        handled = 0
        while not stop.is_set():
            fresh = self.catch_up()
            handled += fresh
            if not fresh:
                stop.wait(interval)
        return handled

    def _listen(self, stop: threading.Event) -> int:
        handled = self.catch_up()
        with self.views_db.connect() as connection:
            subscription = self.store.reader.subscribe(
                gt=acknowledged(connection, self.name), topics=self._topics)
            with subscription:
                ended = threading.Event()
                threading.Thread(target=_stop_when, args=(stop, ended, subscription.stop),
                                 daemon=True).start()
                try:
                    for notification in subscription:
                        handled += self._deliver(connection, [self.store.reader.logged(notification)])
                finally:
                    ended.set()
        return handled

    def _public(self, logged: LoggedEvent) -> PublicEvent | None:
        event = public_event(logged, self._slugs)
        return event if self.contest is None or event.contest == self.contest else None

    def _deliver(self, connection: sqlite3.Connection, batch: Sequence[LoggedEvent]) -> int:
        raise NotImplementedError


class Subscriber(_Feed[Handler]):
    """Hands each event to `handler(event)`, then acknowledges it: at-least-once."""

    def _deliver(self, connection: sqlite3.Connection, batch: Sequence[LoggedEvent]) -> int:
        handled = last = 0
        for logged in batch:
            event = self._public(logged)
            if event is not None:
                self.handler(event)
                handled += 1
                last = self._acknowledge(connection, logged.position)
        if batch and last != batch[-1].position:
            self._acknowledge(connection, batch[-1].position)  # events the filters left out
        return handled

    def _acknowledge(self, connection: sqlite3.Connection, position: int) -> int:
        with transaction(connection) as cursor:
            acknowledge(cursor, self.name, position)
        return position


class ViewSubscriber(_Feed[ViewHandler]):
    """Keeps a view in the views DB: `handler(cursor, event)` writes its rows, and each batch of
    rows is committed with the position, so a crash never loses an event or applies one twice."""

    def _deliver(self, connection: sqlite3.Connection, batch: Sequence[LoggedEvent]) -> int:
        handled = 0
        with transaction(connection) as cursor:
            # Another process under the same name may have gone further meanwhile.
            done = acknowledged(cursor, self.name)
            fresh = [logged for logged in batch if logged.position > done]
            for logged in fresh:
                event = self._public(logged)
                if event is not None:
                    self.handler(cursor, event)
                    handled += 1
            if fresh:
                acknowledge(cursor, self.name, fresh[-1].position)
        return handled


def _stop_when(stop: threading.Event, ended: threading.Event, halt: Callable[[], None]) -> None:
    """Stop a blocking subscription when asked to, without outliving it."""
    while not ended.is_set():
        if stop.wait(0.1):
            halt()
            return
