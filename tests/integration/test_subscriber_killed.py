"""Acceptance: a subscriber killed mid-stream (SIGKILL) and restarted holds every event exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from projections.public_events import ContestSlugs, public_event
from services.konkurs import Konkurs
from tests.feeds import collecting, submit

REPO = Path(__file__).resolve().parents[2]


def consumer(store_env: dict[str, str], views: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.slow_consumer", json.dumps(store_env), str(views),
         "0.01", *extra], cwd=REPO, stderr=subprocess.PIPE)


def delivered(views: Path) -> list[tuple[int, str, str, int]]:
    if not views.exists():
        return []
    with sqlite3.connect(views) as connection:
        exists = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'delivered'").fetchone()
        return connection.execute("SELECT * FROM delivered").fetchall() if exists else []


def test_a_subscriber_killed_mid_stream_and_restarted_holds_every_event_exactly_once(
    konkurs: Konkurs, store_env: dict[str, str], tmp_path: Path
) -> None:
    views = tmp_path / "views.db"
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(150), batch=10)

    for kill in range(3):  # each kill lands at another point of a batch
        before = len(delivered(views))
        running = consumer(store_env, views)
        try:
            _wait_for(lambda n=before: len(delivered(views)) >= n + 25, running)
            submit(konkurs, "alpha", range(200 + 20 * kill, 220 + 20 * kill), batch=4)
            time.sleep(0.1 * kill)
        finally:
            os.kill(running.pid, signal.SIGKILL)
            running.wait(10)
        assert running.returncode == -signal.SIGKILL
    assert len(delivered(views)) < konkurs.store.head_position(), "not killed mid-stream"

    restarted = consumer(store_env, views, "--once")
    _, errors = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, errors.decode()

    slugs = ContestSlugs(konkurs.store)
    expected = [(e.position, e.name, str(e.aggregate_id), e.aggregate_version)
                for e in (public_event(logged, slugs) for logged in konkurs.store.read_log())]
    assert len(expected) == konkurs.store.head_position() > 210
    assert sorted(delivered(views)) == expected


def _wait_for(condition: object, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
