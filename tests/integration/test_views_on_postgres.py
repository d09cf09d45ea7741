"""Views on PostgreSQL follow the log through the library's projection runner (LISTEN/NOTIFY).

Each test has a fresh database of the server named by POSTGRES_HOST (`postgres_env`); without
one, or outside the PostgreSQL pass, they are skipped.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.commands.contest import Announce
from projections import ViewsDB, board, catch_up, default_views, list_contests, rebuild
from projections.pg_runner import ViewsRecorder, listen, start_runner
from services.konkurs import Konkurs
from tests.factories import OPERATOR, make_spec
from tests.integration.conftest import REPO
from tests.integration.test_projections import (
    ENTRIES,
    SLUG,
    LogPrefix,
    announce_and_collect,
    run_whole_contest,
    screen_and_judge,
    vote_and_declare,
)

POLL_INTERVAL = 0.5  # what `konkurs projections run` polls at on SQLite


@pytest.fixture
def konkurs(postgres_env: dict[str, str]) -> Iterator[Konkurs]:
    app = Konkurs(env=postgres_env)
    yield app
    app.close()


@pytest.fixture
def views_db(tmp_path: Path) -> ViewsDB:
    return ViewsDB(tmp_path / "views.db")


@pytest.fixture
def listening(konkurs: Konkurs, views_db: ViewsDB) -> Iterator[threading.Thread]:
    """`listen` in a thread, as `konkurs projections run` runs it, stopped after the test."""
    stop = threading.Event()
    runner = threading.Thread(target=listen, args=(konkurs.store, views_db, default_views(), stop))
    runner.start()
    yield runner
    stop.set()
    runner.join(timeout=10)
    assert not runner.is_alive()


def polled(konkurs: Konkurs, tmp_path: Path) -> ViewsDB:
    """The views as polling builds them from scratch: what the runner's must equal."""
    reference = ViewsDB(tmp_path / f"polled-{time.monotonic_ns()}.db")
    catch_up(konkurs.store, reference, default_views())
    return reference


def wait_until(done: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def caught_up_with(views_db: ViewsDB, reference: ViewsDB) -> Callable[[], bool]:
    return lambda: views_db.positions() == reference.positions()


def test_views_the_runner_follows_hold_exactly_what_polling_builds(
    konkurs: Konkurs, views_db: ViewsDB, listening: threading.Thread, tmp_path: Path
) -> None:
    run_whole_contest(konkurs)

    reference = polled(konkurs, tmp_path)
    wait_until(caught_up_with(views_db, reference), "the runner to apply the whole contest")
    assert views_db.dump() == reference.dump()
    assert board(views_db, SLUG).phase == "closed"


def test_an_event_saved_reaches_the_views_in_milliseconds_without_polling(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    catch_up(konkurs.store, views_db, default_views())
    recorder = ViewsRecorder(views_db, default_views())
    delays = []
    try:
        with start_runner(konkurs.store, recorder):
            for k in range(10):
                spec = make_spec(datetime(2031, 1, 1, tzinfo=UTC), slug=f"contest-{k}")
                konkurs.contests.announce(
                    Announce(spec=spec, plan=spec.phase_plan(), command_id=f"announce-{k}", actor=OPERATOR)
                )
                saved, position = time.monotonic(), konkurs.store.head_position()
                wait_until(
                    lambda at=position: (recorder.max_tracking_id("Konkurs") or 0) >= at,
                    f"contest-{k} to reach the views",
                    seconds=10,
                )
                delays.append(time.monotonic() - saved)
    finally:
        recorder.close()

    print(
        f"save → views: median {statistics.median(delays) * 1000:.1f} ms, "
        f"max {max(delays) * 1000:.1f} ms over {len(delays)} events"
    )
    assert statistics.median(delays) < POLL_INTERVAL / 5
    assert [c.slug for c in list_contests(views_db)] == [f"contest-{k}" for k in range(10)]


def test_a_rebuild_under_the_runner_makes_it_catch_up_and_follow_again(
    konkurs: Konkurs, views_db: ViewsDB, listening: threading.Thread, tmp_path: Path
) -> None:
    announce_and_collect(konkurs)
    wait_until(caught_up_with(views_db, polled(konkurs, tmp_path)), "the announcement")

    # The moment inside `konkurs projections rebuild` when the views are emptied, not yet replayed.
    rebuild(LogPrefix(konkurs, stop=0), views_db, default_views())
    screen_and_judge(konkurs)
    vote_and_declare(konkurs)

    reference = polled(konkurs, tmp_path)
    wait_until(caught_up_with(views_db, reference), "the runner to catch up after the rebuild")
    assert views_db.dump() == reference.dump()
    assert listening.is_alive()


def test_konkurs_projections_run_follows_postgres_and_stops_cleanly_on_sigterm(
    konkurs: Konkurs, postgres_env: dict[str, str], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    env = {**os.environ, **postgres_env, "KONKURS_HOME": str(home), "COLUMNS": "160"}
    runner = subprocess.Popen(
        [sys.executable, "-m", "konkurs", "projections", "run"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    views_db = ViewsDB(home / "views.db")
    try:
        wait_until(lambda: len(views_db.positions()) == len(default_views()), "the views to exist")
        announce_and_collect(konkurs)
        wait_until(caught_up_with(views_db, polled(konkurs, tmp_path)), "the runner process")
        status = subprocess.run(
            [sys.executable, "-m", "konkurs", "status", SLUG, "--json"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert json.loads(status.stdout)["submissions"] == len(ENTRIES)
    finally:
        runner.send_signal(signal.SIGTERM)
        out, err = runner.communicate(timeout=30)

    assert runner.returncode == 0, err
    assert "LISTEN/NOTIFY" in out and "Stopped at positions" in out
    assert "Traceback" not in err
