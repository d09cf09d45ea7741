"""Keeping views up to date on PostgreSQL: the library's projection runner, woken by LISTEN/NOTIFY.

The views stay in the SQLite views file with one implementation each. The runner hands them the
same `LoggedEvent`s that polling reads, and `ViewsRecorder`, a tracking recorder over the views
file, writes an event's rows and its views' positions in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import structlog
from eventsourcing.persistence import Notification, StoredEvent, Tracking, TrackingRecorder
from eventsourcing.projection import BaseProjectionRunner, Projection

from projections.runner import Stop, catch_up
from projections.view import View, topics
from projections.views_db import ViewsDB, track, tracked_position, transaction
from store.application import StoreApplication
from store.log import LoggedEvent, logged_event
from store.mapper import PydanticMapper

log = structlog.get_logger("konkurs.projections")


class LoggedEventMapper(PydanticMapper):
    """Decodes a notification into the `LoggedEvent` the views apply, not into a pydantic model."""

    def to_domain_event(self, stored_event: StoredEvent) -> LoggedEvent:
        assert isinstance(stored_event, Notification)  # subscriptions deliver notifications
        return logged_event(stored_event, self.decode_state)


class LogFollower(StoreApplication):
    """The Konkurs log as the runner subscribes to it: read only, decoded for the views."""

    name = StoreApplication.name  # the name picks the tables: the writers' log, not a new one

    def construct_mapper(self) -> PydanticMapper:
        writers = super().construct_mapper()
        return LoggedEventMapper(
            transcoder=writers.transcoder, compressor=writers.compressor, cipher=writers.cipher,
            personal=writers.personal,
        )


class ViewsReset(Exception):
    """A view went back under the runner (a rebuild): the runner must catch up and start again."""


class ViewsRecorder(TrackingRecorder):
    """The views file as the library's tracking recorder, with one position per view.

    Open it after the views' tables exist (`catch_up` makes them), and close it after the runner.
    """

    def __init__(self, views_db: ViewsDB, views: Sequence[View]) -> None:
        self.views_db = views_db
        # One connection for the runner's life, used by its processing thread: opening one per
        # event costs ten times the event. NORMAL skips the fsync per commit; a power cut can lose
        # the last commits, rows and positions together, and those events are applied again.
        self._connection = sqlite3.connect(
            views_db.path, isolation_level=None, timeout=30, check_same_thread=False
        )
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self.views = list(views)
        self.topics = sorted({topic for view in self.views for topic in topics(view)})
        self._by_topic: dict[str, list[View]] = {}
        for view in self.views:
            for topic in topics(view):
                self._by_topic.setdefault(topic, []).append(view)
        self._known = views_db.positions()
        self._through: int | None = None

    def record(self, logged: LoggedEvent) -> None:
        """Apply one event to the views that handle it and move their positions, in one transaction.

        A view already past the event (a read command caught it up first) is left alone.
        """
        with transaction(self._connection) as cursor:
            for view in self._by_topic.get(logged.topic, ()):
                position = tracked_position(cursor, view.name) or 0
                if position < self._known.get(view.name, 0):
                    raise ViewsReset(f"view {view.name} went back to position {position}")
                if position < logged.position:
                    view.apply(cursor, logged)
                    track(cursor, view.name, logged.position)
                    position = logged.position
                self._known[view.name] = position
        self._through = logged.position

    def max_tracking_id(self, application_name: str) -> int | None:
        """The position through which every view is complete: the last event this runner
        recorded, or before that the least advanced view, where a subscription must resume."""
        if self._through is not None:
            return self._through
        positions = self.views_db.positions()
        return min(positions.get(view.name, 0) for view in self.views)

    def close(self) -> None:
        self._connection.close()

    def insert_tracking(self, tracking: Tracking) -> None:
        # A bare position would move views past events they never applied.
        raise NotImplementedError("views record positions with their rows: use record()")


class ViewsProjection(Projection[ViewsRecorder]):
    name = "views"

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.record(domain_event)


def start_runner(
    store: StoreApplication, recorder: ViewsRecorder
) -> BaseProjectionRunner[LogFollower]:
    """Subscribe to `store`'s log after the views' positions and apply each event as it comes.

    `ProjectionRunner` would build the view in the event store's own database;
    `BaseProjectionRunner` takes ours, the views file.
    """
    # The store has made the tables; followers that start beside N workers skip the DDL, which
    # PostgreSQL refuses to run twice at once. The follower holds one connection to LISTEN on
    # and uses one to read: a pool of two, not the default five.
    env = {**store.env, "CREATE_TABLE": "no", "POSTGRES_POOL_SIZE": "2", "POSTGRES_MAX_OVERFLOW": "0"}
    return BaseProjectionRunner(
        projection=ViewsProjection(recorder), application_class=LogFollower,
        tracking_recorder=recorder, topics=recorder.topics, env=env,
    )


def listen(
    store: StoreApplication, views_db: ViewsDB, views: Sequence[View], stop: Stop
) -> None:
    """Catch up in batches, then apply new events as PostgreSQL announces them, until `stop`."""
    while not stop.is_set():
        catch_up(store, views_db, views)
        recorder = ViewsRecorder(views_db, views)
        log.info("views_listening", positions=views_db.positions())
        try:
            with start_runner(store, recorder) as runner:
                while not (stop.is_set() or runner.is_interrupted.is_set()):
                    runner.run_forever(timeout=0.2)
        except ViewsReset as reset:
            log.info("views_reset", reason=str(reset))
        finally:
            recorder.close()
