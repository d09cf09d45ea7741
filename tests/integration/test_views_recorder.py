"""The views file as the projection runner's tracking recorder, fed event by event.

The runner itself needs PostgreSQL's LISTEN/NOTIFY (tests/integration/test_views_on_postgres.py);
what it does with each event is tested here, on whichever store the run uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest

from projections import ViewsDB, catch_up, default_views, rebuild
from projections.pg_runner import ViewsRecorder, ViewsReset
from services.konkurs import Konkurs
from tests.integration.test_projections import (
    LogPrefix,
    announce_and_collect,
    run_whole_contest,
    screen_and_judge,
)


@pytest.fixture
def recorder(konkurs: Konkurs, tmp_path: Path) -> Iterator[ViewsRecorder]:
    views_db = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views_db, default_views())  # the runner starts after a catch-up
    opened = ViewsRecorder(views_db, default_views())
    yield opened
    opened.close()


def polled(konkurs: Konkurs, tmp_path: Path) -> list[str]:
    reference = ViewsDB(tmp_path / "polled.db")
    catch_up(konkurs.store, reference, default_views())
    return reference.dump()


def test_recording_the_log_event_by_event_builds_what_polling_builds(
    konkurs: Konkurs, recorder: ViewsRecorder, tmp_path: Path
) -> None:
    run_whole_contest(konkurs)

    for logged in konkurs.store.read_log(recorder.topics):
        recorder.record(logged)

    assert recorder.views_db.dump() == polled(konkurs, tmp_path)
    last = max(recorder.views_db.positions().values())
    assert recorder.max_tracking_id("Konkurs") == last


def test_events_a_read_command_applied_first_are_skipped_not_applied_twice(
    konkurs: Konkurs, recorder: ViewsRecorder, tmp_path: Path
) -> None:
    run_whole_contest(konkurs)
    events = konkurs.store.read_log(recorder.topics)
    for logged in islice(events, 20):
        recorder.record(logged)

    catch_up(konkurs.store, recorder.views_db, default_views())  # `konkurs status` got there first
    for logged in konkurs.store.read_log(recorder.topics, start=1):
        recorder.record(logged)

    assert recorder.views_db.dump() == polled(konkurs, tmp_path)


def test_a_fresh_recorder_resumes_from_the_least_advanced_view(
    konkurs: Konkurs, recorder: ViewsRecorder
) -> None:
    announce_and_collect(konkurs)
    for logged in konkurs.store.read_log(recorder.topics):
        recorder.record(logged)
    positions = recorder.views_db.positions()

    restarted = ViewsRecorder(recorder.views_db, default_views())
    try:
        assert restarted.max_tracking_id("Konkurs") == min(positions.values())
        assert min(positions.values()) < max(positions.values())  # the stage view saw little
    finally:
        restarted.close()


def test_a_rebuild_under_the_recorder_stops_it_before_it_writes_past_a_gap(
    konkurs: Konkurs, recorder: ViewsRecorder
) -> None:
    announce_and_collect(konkurs)
    for logged in konkurs.store.read_log(recorder.topics):
        recorder.record(logged)
    rebuild(LogPrefix(konkurs, stop=0), recorder.views_db, default_views())  # not replayed yet
    emptied = recorder.views_db.dump()
    screen_and_judge(konkurs)
    head = recorder.max_tracking_id("Konkurs") or 0
    following = next(iter(konkurs.store.read_log(recorder.topics, start=head + 1)))

    with pytest.raises(ViewsReset, match="went back to position 0"):
        recorder.record(following)

    assert recorder.views_db.dump() == emptied
