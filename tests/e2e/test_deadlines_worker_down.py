"""A deadline holds while the engine is down: the worker is stopped across the collection and the
voting deadline, entries sent meanwhile are refused by the rules, and the audit holds.

Real time on the embedded dev server: the store stamps entries with the wall clock, so the
deadlines must pass in it too. The contest is a few seconds long."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from domain.aggregates import Ballot, Contest, Submission
from domain.commands.intake import BallotInput, CastBallots, Submit
from domain.errors import PhaseClosed, UnknownContest
from domain.phases import Phase
from konkurs.devserver import EmbeddedServer, free_port
from konkurs.supervisor import WorkerProcess
from services.ballots import OUTSIDE_WINDOW
from tests.e2e.conftest import Cli, Files, Store, wait_for_worker
from tests.factories import OPERATOR, practice_forms, spec_data

VOTER_KEY = b"voters"
COLLECTION, SCREENING, VOTING = 10, 14, 22  # seconds after the start, when each phase closes


def worker_down_spec(start: datetime) -> dict[str, object]:
    data = spec_data(start - timedelta(days=1), slug="worker-down")
    data["schedule"] = {
        "announced": (start - timedelta(days=1)).isoformat(),
        "collection_closes": (start + timedelta(seconds=COLLECTION)).isoformat(),
        "screening_closes": (start + timedelta(seconds=SCREENING)).isoformat(),
        "voting_closes": (start + timedelta(seconds=VOTING)).isoformat(),
        "results_published": (start + timedelta(days=30)).isoformat(),
    }
    data["judging"] = {"enabled": False}
    data["voting"] = {"enabled": True}
    return data


class Engine:
    """The embedded server, and a worker the test stops and starts."""

    def __init__(self, cli: Cli, home: Path) -> None:
        self.address = f"127.0.0.1:{free_port()}"
        self.server = EmbeddedServer(home / "temporal.db", self.address)
        cli.env = {**cli.env, "TEMPORAL_ADDRESS": self.address}
        self.worker = WorkerProcess(cli.env, home / "worker.log")


@pytest.fixture
def engine(cli: Cli, home: Path) -> Iterator[Engine]:
    engine = Engine(cli, home)
    with engine.server:
        engine.worker.start()
        asyncio.run(wait_for_worker(engine.address, engine.worker))
        try:
            yield engine
        finally:
            engine.worker.stop()


def eventually(store: Store, holds: Callable[[Contest], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with store.open() as app, contextlib.suppress(UnknownContest):  # announced by the worker
            if holds(app.store.get_contest("worker-down")):
                return
        assert time.monotonic() < deadline, f"the contest never {what}"
        time.sleep(0.2)


def phase_becomes(store: Store, phase: Phase) -> None:
    eventually(store, lambda contest: contest.phase == phase, f"reached {phase}")


def sleep_past(start: datetime, seconds: int) -> None:
    time.sleep(max(0.0, (start + timedelta(seconds=seconds + 1) - datetime.now(UTC)).total_seconds()))


def ballot(voter: str, reference: str) -> BallotInput:
    return BallotInput(label=voter, voter=voter, nomination="HC-1", submission=reference, region="23")


def test_entries_after_a_deadline_are_refused_while_the_worker_is_down_and_the_audit_holds(
    cli: Cli, files: Files, store: Store, engine: Engine
) -> None:
    start = datetime.now(UTC)
    cli("announce", files.text("spec.yaml", yaml.safe_dump(worker_down_spec(start), allow_unicode=True)),
        timeout=60).assert_ok()
    phase_becomes(store, Phase.COLLECTING)
    forms = practice_forms([(f"WD-{n}", "HC-1", "ngo") for n in range(4)])
    with store.open() as app:
        app.submissions.submit(Submit(slug="worker-down", forms=forms[:3], actor=OPERATOR))

    engine.worker.stop()
    sleep_past(start, COLLECTION)
    with store.open() as app, pytest.raises(PhaseClosed, match="collecting closed at its deadline"):
        assert app.store.get_contest("worker-down").phase == Phase.COLLECTING  # no close recorded
        app.submissions.submit(Submit(slug="worker-down", forms=forms[3:], actor=OPERATOR))

    engine.worker.start()
    phase_becomes(store, Phase.VOTING)
    with store.open() as app:
        on_time = app.ballots.cast_ballots(CastBallots(
            slug="worker-down", ballots=[ballot("v1", "WD-0"), ballot("v2", "WD-1")],
            voter_key=VOTER_KEY, actor=OPERATOR))
    assert on_time.accepted == 2

    engine.worker.stop()
    sleep_past(start, VOTING)
    with store.open() as app:
        assert app.store.get_contest("worker-down").phase == Phase.VOTING
        late = app.ballots.cast_ballots(CastBallots(
            slug="worker-down", ballots=[ballot("v3", "WD-2")], voter_key=VOTER_KEY, actor=OPERATOR))
        with pytest.raises(PhaseClosed, match="voting closed at its deadline"):
            app.ballots.cast_ballots(CastBallots(slug="worker-down", ballots=[ballot("v4", "WD-2")],
                                                 voter_key=VOTER_KEY, strict=True, actor=OPERATOR))
    assert (late.accepted, late.rejected) == (0, {OUTSIDE_WINDOW: 1})

    engine.worker.start()
    eventually(store, lambda contest: contest.tally is not None, "tallied the vote")
    with store.open() as app:
        assert app.store.get_contest("worker-down").tally.accepted == 2  # type: ignore[union-attr]
        recorded = [sum(1 for _ in app.store.contest_events("worker-down", [kind]))
                    for kind in (Submission.Submitted, Ballot.Cast)]
        assert recorded == [3, 2]
        audit = app.audit.audit_contest("worker-down")
    assert audit.holds, [d.describe() for d in audit.differences]
    verified = cli("audit", "verify", "--contest", "worker-down")
    assert verified.code == 0, verified.stdout + verified.stderr
