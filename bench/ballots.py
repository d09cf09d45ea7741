"""The national vote's write path, measured against its alternatives in one run.

    .venv/bin/python bench/ballots.py [--ballots N] [--batch N] [--json] [--postgres]

Ingests N ballots (default 1,000,000: 13 nominations, 89 regions, 2% repeat voters, 0.5% off the
shortlist or the map) through `BallotService.cast_ballots`, then in the same run measures the same
rows through raw sqlite3 `executemany` in one transaction (the physical limit), one eventsourcing
`save` per ballot (on a sample), and Temporal signals into one workflow (up to its 10,000-signal
cap, then extrapolated). Prints each rate and Konkurs's ratio to it, and the recount time with its
ratio to a plain read of the same ballot rows from the same store (one SELECT, `json.loads` of
each state: the recount's physical limit).
With --postgres the ingest and recount run against the PostgreSQL named by POSTGRES_*.
A benchmark, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import sys
import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from eventsourcing.persistence import IntegrityError  # noqa: E402
from eventsourcing.utils import get_topic  # noqa: E402
from figures import close_phase, report, timed  # noqa: E402
from temporalio import workflow  # noqa: E402

from domain.actors import LOCAL_OPERATOR as OPERATOR  # noqa: E402
from domain.aggregates import Ballot  # noqa: E402
from domain.commands.contest import Announce  # noqa: E402
from domain.commands.intake import BallotInput, CastBallots  # noqa: E402
from domain.outcomes import JudgingOutcome  # noqa: E402
from domain.phases import Phase  # noqa: E402
from domain.regions import REGION_CODES  # noqa: E402
from konkurs.spec_files import load_spec  # noqa: E402
from services.ballots import voter_pseudonym  # noqa: E402
from services.konkurs import Konkurs  # noqa: E402
from store.dialect import Dialect  # noqa: E402

KEY = b"bench-voter-key"
SIGNAL_CAP = 10_000


def voting_contest(app: Konkurs) -> tuple[str, dict[str, list[str]]]:
    """Smart Dialog with its schedule moved to today, brought to voting with a shortlist of 5."""
    spec = load_spec(REPO / "examples" / "smart-dialog-2023.yaml")
    plan = spec.phase_plan()
    app.contests.announce(
        Announce(
            spec=spec,
            plan=plan.shifted(datetime.now(UTC) - plan.windows[0].closes_at),
            command_id="announce",
            actor=OPERATOR,
        )
    )
    for phase in (Phase.ANNOUNCED, Phase.COLLECTING, Phase.SCREENING):
        close_phase(app, spec.slug, phase, f"close:{phase}", cause="bench")
    shortlist = {n.code: [f"{n.code}-{k}" for k in range(5)] for n in spec.nominations}
    contest = app.store.get_contest(spec.slug)
    contest.conclude_judging(
        JudgingOutcome(
            judging_closed_at=0, reviews_counted=0, reviews_late=0, rankings=[], shortlist=shortlist
        ),
        "bench:judged",
    )
    app.store.save(contest, actor=OPERATOR)
    close_phase(app, spec.slug, Phase.JUDGING, "close:judging", cause="bench")
    return spec.slug, shortlist


def ballots(count: int, shortlist: dict[str, list[str]], seed: int = 7) -> list[BallotInput]:
    rng = random.Random(seed)
    nominations, regions = sorted(shortlist), sorted(REGION_CODES)
    rows: list[BallotInput] = []
    for number in range(count):
        roll = rng.random()
        if roll < 0.02 and rows:
            rows.append(replace(rng.choice(rows), label=str(number)))  # a repeat voter
            continue
        nomination = rng.choice(nominations)
        submission = rng.choice(shortlist[nomination])
        region = rng.choice(regions)
        if roll < 0.0225:
            submission = "not-on-the-shortlist"
        elif roll < 0.025:
            region = "00"
        rows.append(
            BallotInput(
                voter=f"esia-{number:09d}",
                nomination=nomination,
                submission=submission,
                region=region,
                label=str(number),
            )
        )
    return rows


def ingest(app: Konkurs, slug: str, rows: list[BallotInput], batch: int) -> tuple[int, int]:
    accepted = rejected = 0
    for start in range(0, len(rows), batch):
        outcome = app.ballots.cast_ballots(
            CastBallots(slug=slug, ballots=rows[start : start + batch], voter_key=KEY, actor=OPERATOR)
        )
        accepted += outcome.accepted
        rejected += sum(outcome.rejected.values())
    return accepted, rejected


def raw_read(app: Konkurs, sqlite_file: str | None) -> tuple[int, float]:
    """The recount's physical limit: the same `Ballot.Cast` rows of the same store read with one
    plain SELECT in this process, each state decoded with `json.loads` and nothing else.
    Gives (rows read, seconds)."""
    dialect, topic = Dialect.of(app.store.recorder), get_topic(Ballot.Cast)
    if sqlite_file is None:
        return timed(lambda: _postgres_read(dialect, topic))
    connection = sqlite3.connect(sqlite_file)
    statement = f"SELECT state FROM {dialect.events_table} WHERE topic = ?"

    def read() -> int:
        count = 0
        for (state,) in connection.execute(statement, (topic,)):
            json.loads(state)
            count += 1
        return count

    try:
        return timed(read)
    finally:
        connection.close()


def _postgres_read(dialect: Any, topic: str) -> int:
    """The same on PostgreSQL, streamed through one server-side cursor."""
    count = 0
    for (state,) in dialect.stream(f"SELECT state FROM {dialect.events_table} WHERE topic = %s",
                                   (topic,), 50_000):
        json.loads(state)
        count += 1
    return count


def raw_sqlite(workdir: Path, rows: list[BallotInput], slug: str) -> float:
    """The same rows, prepared beforehand, in one executemany and one transaction."""
    prepared = [
        (
            uuid.uuid4().hex,
            1,
            "Ballot.Cast",
            (
                f'{{"contest":"{slug}","nomination":"{r.nomination}",'
                f'"voter":"{voter_pseudonym(KEY, r.voter)}",'
                f'"submission":"{r.submission}","region":"{r.region}"}}'
            ).encode(),
        )
        for r in rows
    ]
    connection = sqlite3.connect(workdir / "raw.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, "
        "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))"
    )

    def insert() -> None:
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO stored_events VALUES (?,?,?,?)", prepared)
        connection.execute("COMMIT")

    _, seconds = timed(insert)
    connection.close()
    return len(rows) / seconds


def naive_eventsourcing(workdir: Path, slug: str, rows: list[BallotInput]) -> float:
    """One Ballot aggregate and one `save` per ballot, as a plain eventsourcing app would do."""
    app = Konkurs(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(workdir / "naive.db")}
    )

    def save_each() -> None:
        for row in rows:
            try:
                app.store.save(
                    Ballot(
                        contest=slug,
                        nomination=row.nomination,
                        voter=voter_pseudonym(KEY, row.voter),
                        submission=row.submission,
                        region=row.region,
                    ),
                    actor=OPERATOR,
                )
            except IntegrityError:
                continue  # a repeat voter: the key refuses the second ballot

    _, seconds = timed(save_each)
    app.close()
    return len(rows) / seconds


@workflow.defn(name="BallotBox", sandboxed=False)
class BallotBox:
    """The alternative the design rules out: every ballot a signal into the contest's workflow."""

    def __init__(self) -> None:
        self.received = 0

    @workflow.run
    async def run(self, expected: int) -> int:
        await workflow.wait_condition(lambda: self.received >= expected)
        return self.received

    @workflow.signal
    def cast(self, ballot: list[str]) -> None:
        self.received += 1


async def temporal_signals(workdir: Path, rows: list[BallotInput]) -> float:
    from temporalio.client import Client
    from temporalio.runtime import LoggingConfig, Runtime, TelemetryConfig, TelemetryFilter
    from temporalio.worker import Worker

    from konkurs.devserver import EmbeddedServer, free_port

    address = f"127.0.0.1:{free_port()}"
    with EmbeddedServer(workdir / "temporal.db", address):
        # A flood of signals makes the SDK core warn about every superseded workflow task.
        quiet = Runtime(
            telemetry=TelemetryConfig(
                logging=LoggingConfig(filter=TelemetryFilter(core_level="ERROR", other_level="ERROR"))
            )
        )
        client = await Client.connect(address, runtime=quiet)
        async with Worker(client, task_queue="ballot-box", workflows=[BallotBox]):
            handle = await client.start_workflow(
                BallotBox.run, len(rows), id="ballot-box", task_queue="ballot-box"
            )

            async def send() -> None:
                for start in range(0, len(rows), 200):
                    await asyncio.gather(
                        *(
                            handle.signal(BallotBox.cast, [r.voter, r.nomination, r.submission, r.region])
                            for r in rows[start : start + 200]
                        )
                    )
                await handle.result()

            started = datetime.now(UTC)
            await send()
            seconds = (datetime.now(UTC) - started) / timedelta(seconds=1)
    return len(rows) / seconds


def store_env(workdir: Path, postgres: bool) -> dict[str, str]:
    if postgres:
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            **{k: v for k, v in os.environ.items() if k.startswith("POSTGRES_")},
        }
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(workdir / "konkurs.db")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=50_000, help="ballots per batch handed over")
    parser.add_argument("--naive-sample", type=int, default=20_000)
    parser.add_argument("--postgres", action="store_true", help="ingest into POSTGRES_* instead")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = store_env(workdir, args.postgres)
        app = Konkurs(env=env)
        slug, shortlist = voting_contest(app)
        rows = ballots(args.ballots, shortlist)
        (accepted, rejected), seconds = timed(lambda: ingest(app, slug, rows, args.batch))
        tally, recount_s = timed(lambda: app.results.count(slug, app.store.head_position()))
        read, raw_read_s = raw_read(app, env.get("SQLITE_DBNAME"))
        assert read == tally.accepted + tally.late, "the raw read must see the recount's rows"
        figures = {
            "ballots": len(rows),
            "accepted": accepted,
            "rejected": rejected,
            "accepted_per_s": accepted / seconds,
            "ingest_s": seconds,
            "recount_s": recount_s,
            "recount_equals_ingest": float(tally.accepted == accepted),
            "raw_read_s": raw_read_s,
            "recount_ratio_to_raw_read": recount_s / raw_read_s,
        }
        app.close()
        raw = raw_sqlite(workdir, rows, slug)
        naive = naive_eventsourcing(workdir, slug, rows[: args.naive_sample])
        signals = asyncio.run(temporal_signals(workdir, rows[:SIGNAL_CAP]))
    figures |= {
        "raw_sqlite_per_s": raw,
        "ratio_to_raw_sqlite": figures["accepted_per_s"] / raw,
        "naive_eventsourcing_per_s": naive,
        "ratio_to_naive_eventsourcing": figures["accepted_per_s"] / naive,
        "temporal_signals_per_s": signals,
        "ratio_to_temporal_signals": figures["accepted_per_s"] / signals,
        "temporal_signals_s_for_all": len(rows) / signals,
        "temporal_workflow_runs_for_all": -(-len(rows) // SIGNAL_CAP),
    }
    report(figures, args.json)


if __name__ == "__main__":
    main()
