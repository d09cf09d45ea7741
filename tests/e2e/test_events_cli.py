"""`konkurs events tail` as a service's operator runs it: JSON Lines, filters, pipes, follow."""

from __future__ import annotations

import json
import queue
import shlex
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest

from domain.commands.contest import Announce, RecordPhaseChange
from domain.commands.intake import Submit
from domain.phases import Phase
from tests.e2e.conftest import REPO, SLUG
from tests.factories import OPERATOR, close_phase, make_spec

if TYPE_CHECKING:
    from tests.e2e.conftest import Cli, Contests, Store

Event = dict[str, Any]


def lines(stdout: str) -> list[Event]:
    return [json.loads(line) for line in stdout.splitlines()]


def test_tail_prints_the_whole_log_one_public_event_per_line(
    cli: Cli, contests: Contests, store: Store
) -> None:
    contests.screening()
    run = cli("events", "tail")
    run.assert_ok()
    events = lines(run.stdout)

    assert [e["position"] for e in events] == list(range(1, store.head() + 1))
    assert [e["name"] for e in events[:3]] == [
        "contest.announced", "contest.phase_changed", "submission.submitted"]
    assert {e["contest"] for e in events} == {SLUG}
    assert set(events[0]) == {"position", "name", "version", "aggregate_id", "aggregate_version",
                              "timestamp", "actor", "contest", "data"}
    assert {(e["actor"]["kind"], e["actor"]["id"]) for e in events} == {("operator", OPERATOR.id)}
    closed = events[-1]
    assert (closed["name"], closed["version"], closed["data"]["closed"]) == (
        "contest.phase_changed", 1, "collecting")
    assert "Запись к врачу через Госуслуги" in run.stdout  # UTF-8, not \u escapes


def test_tail_from_a_position_by_type_and_by_contest(
    cli: Cli, contests: Contests, store: Store
) -> None:
    contests.screening()
    other = make_spec(datetime.now(UTC) + timedelta(days=1), slug="drugoy-konkurs")
    with store.open() as app:
        app.contests.announce(
            Announce(spec=other, plan=other.phase_plan(), command_id="announce-other", actor=OPERATOR)
        )
        close_phase(app, other.slug, Phase.ANNOUNCED, "open-other")

    later = cli("events", "tail", "--from", "4")
    later.assert_ok()
    assert lines(later.stdout)[0]["position"] == 4

    changes = cli("events", "tail", "--type", "contest.phase_changed", "--type", "contest.announced")
    changes.assert_ok()
    assert [(e["name"], e["contest"]) for e in lines(changes.stdout)] == [
        ("contest.announced", SLUG),
        ("contest.phase_changed", SLUG),
        ("contest.phase_changed", SLUG),
        ("contest.announced", "drugoy-konkurs"),
        ("contest.phase_changed", "drugoy-konkurs"),
    ]

    theirs = cli("events", "tail", "--contest", "drugoy-konkurs", "--from", "2")
    theirs.assert_ok()
    assert [e["name"] for e in lines(theirs.stdout)] == ["contest.announced", "contest.phase_changed"]


def test_an_unknown_type_or_contest_is_one_line_naming_near_matches(cli: Cli, contests: Contests) -> None:
    contests.collecting()
    cli("events", "tail", "--type", "submission.submited").assert_rejected(
        "unknown event type 'submission.submited'", "did you mean submission.submitted"
    )
    cli("events", "tail", "--contest", "zdorovye-2031").assert_rejected(
        "no contest 'zdorovye-2031'", f"did you mean {SLUG}"
    )


def test_events_types_lists_every_name_with_its_version(cli: Cli) -> None:
    run = cli("events", "types", "--json")
    run.assert_ok()
    listed = {e["name"]: e for e in json.loads(run.stdout)}
    assert listed["submission.submitted"] == {
        "name": "submission.submitted",
        "version": 1,
        "topic": "domain.aggregates.submission:Submission.Submitted",
    }


def test_a_reader_that_goes_away_ends_tail_quietly(
    cli: Cli, contests: Contests, store: Store, tmp_path: Path
) -> None:
    """More than a pipe holds, so tail is still writing when `head` leaves."""
    contests.collecting()
    with store.open() as app:
        app.submissions.submit(
            Submit(
                slug=SLUG,
                forms=[
                    (
                        f"row {n}",
                        contests.form(f"ZDR-{n:04}", "HC-1", f"Практика {n}", "АНО «Здоровье»", "ngo", "23"),
                    )
                    for n in range(2000)
                ],
                actor=OPERATOR,
            )
        )
    shell = (
        f"{shlex.quote(sys.executable)} -m konkurs events tail 2>{tmp_path / 'err'} "
        f"| head -n 3; echo ${{PIPESTATUS[0]}} > {tmp_path / 'status'}"
    )
    done = subprocess.run(
        ["bash", "-c", shell], cwd=REPO, env=cli.env, capture_output=True, text=True, timeout=120, check=False
    )
    assert len(done.stdout.splitlines()) == 3
    assert (tmp_path / "err").read_text() == ""
    assert (tmp_path / "status").read_text().strip() == "141"


class Follower:
    """`konkurs events tail --follow` running in the background, its lines read as they come."""

    def __init__(self, cli: Cli, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "konkurs", "events", "tail", "--follow", "--interval", "0.1", *args],
            cwd=REPO,
            env=cli.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.events: queue.Queue[Event] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()

    def _read(self, stdout: IO[str]) -> None:
        for line in stdout:
            self.events.put(json.loads(line))

    def next(self, seconds: float = 60) -> Event:
        return self.events.get(timeout=seconds)

    def stop(self, signum: int) -> tuple[int, str]:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=30)
        assert self.process.stderr is not None
        return code, self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_follow_streams_events_recorded_after_it_started_until_stopped(
    cli: Cli, contests: Contests, store: Store, signum: int
) -> None:
    contests.collecting()
    follower = Follower(cli, "--type", "contest.phase_changed", "--contest", SLUG)
    try:
        assert follower.next()["data"]["closed"] == "announced"
        with store.open() as app:
            app.contests.change_phase(
                RecordPhaseChange(
                    slug=SLUG,
                    closed=Phase.COLLECTING,
                    cause="operator",
                    reason="закрыто досрочно",
                    command_id="close-early",
                    actor=OPERATOR,
                )
            )
            head = app.store.head_position()
        fresh = follower.next()
        assert (fresh["position"], fresh["data"]["reason"]) == (head, "закрыто досрочно")
        code, stderr = follower.stop(signum)
    finally:
        follower.kill()
    assert (code, stderr) == (0, "")
    assert follower.events.empty()
