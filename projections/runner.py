"""Keeping views up to date by polling the log: the SQLite recorder cannot push events."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Protocol

from projections.board_view import BoardView
from projections.participation_view import ParticipationView
from projections.results_view import ResultsView
from projections.stage_view import StageView
from projections.tally_view import TallyView
from projections.view import View, topics
from projections.views_db import (
    ViewsDB,
    record_schema,
    stored_schema,
    track,
    tracked_position,
    transaction,
)
from store.log import LoggedEvent

BATCH = 1000


class Stop(Protocol):
    """What ends a follower: a `threading.Event`, or a flag a signal handler sets."""

    def is_set(self) -> bool: ...

    def wait(self, seconds: float, /) -> object: ...


class EventLog(Protocol):
    def read_log(
        self, topics: Sequence[str] = (), start: int = 1, stop: int | None = None
    ) -> Iterator[LoggedEvent]: ...


def default_views() -> list[View]:
    return [BoardView(), ResultsView(), TallyView(), StageView(), ParticipationView()]


class ScanMarks:
    """Where one process last read each view's events up to: (the view's tracked position then,
    the log's head then). While the tracked position is unchanged, none of the view's events lies
    between the two (positions commit in order, under the recorders' write lock), so the next
    catch-up reads on from that head. A view whose last event lies far back is not scanned past
    the same tens of thousands of other events on every page load."""

    def __init__(self) -> None:
        self._marks: dict[str, tuple[int, int]] = {}

    def start(self, view: str, tracked: int) -> int:
        mark = self._marks.get(view)
        return mark[1] if mark is not None and mark[0] == tracked else tracked

    def mark(self, view: str, tracked: int, head: int) -> None:
        self._marks[view] = (tracked, head)


def catch_up(
    konkurs: EventLog, views_db: ViewsDB, views: Sequence[View], batch_size: int = BATCH,
    marks: ScanMarks | None = None,
) -> int:
    """Apply every event after each view's tracked position; returns how many were applied.
    With `marks` (and a log that knows its head), reading starts where this process last read."""
    applied = 0
    with views_db.connect() as connection:
        for view in views:
            _ensure(connection, view)
            applied += _catch_up_view(konkurs, connection, view, batch_size, marks)
    return applied


def rebuild(
    konkurs: EventLog, views_db: ViewsDB, views: Sequence[View], batch_size: int = BATCH
) -> int:
    """Drop the views and replay them from position 0; returns how many events were applied."""
    with views_db.connect() as connection, transaction(connection) as cursor:
        for view in views:
            view.drop(cursor)
            view.create(cursor)
            track(cursor, view.name, 0)
            record_schema(cursor, view.name, view.schema)
    return catch_up(konkurs, views_db, views, batch_size)


def follow(
    konkurs: EventLog,
    views_db: ViewsDB,
    views: Sequence[View],
    interval: float = 0.5,
    stop: Stop | None = None,
) -> int:
    """Catch up, then poll every `interval` seconds until `stop` is set; returns events applied."""
    stop = stop or threading.Event()
    applied = 0
    while not stop.is_set():
        fresh = catch_up(konkurs, views_db, views)
        applied += fresh
        if not fresh:
            stop.wait(interval)
    return applied


def _ensure(connection: sqlite3.Connection, view: View) -> None:
    """Create a view's tables; a view whose tables changed since it was built starts over."""
    if _current(connection, view):
        return
    with transaction(connection) as cursor:
        if not _current(cursor, view):
            view.drop(cursor)
            view.create(cursor)
            track(cursor, view.name, 0)
            record_schema(cursor, view.name, view.schema)


def _current(cursor: sqlite3.Cursor | sqlite3.Connection, view: View) -> bool:
    return (tracked_position(cursor, view.name) is not None
            and stored_schema(cursor, view.name) == view.schema)


def _catch_up_view(
    konkurs: EventLog, connection: sqlite3.Connection, view: View, batch_size: int,
    marks: ScanMarks | None = None,
) -> int:
    applied = 0
    position = tracked_position(connection, view.name) or 0
    head_of = getattr(konkurs, "head_position", None)
    head: int | None = head_of() if marks is not None and head_of is not None else None
    start = marks.start(view.name, position) if marks is not None and head is not None else position
    events = konkurs.read_log(topics(view), start=start + 1, stop=head)
    while batch := list(islice(events, batch_size)):
        with transaction(connection) as cursor:
            current = tracked_position(cursor, view.name) or 0
            moved = current != position
            if not moved:
                for logged in batch:
                    view.apply(cursor, logged)
                track(cursor, view.name, batch[-1].position)
        if moved:
            # Another runner moved this view on meanwhile: read on from where it got to.
            position = current
            events = konkurs.read_log(topics(view), start=position + 1, stop=head)
        else:
            position = batch[-1].position
            applied += len(batch)
    if marks is not None and head is not None:
        marks.mark(view.name, position, head)
    return applied
