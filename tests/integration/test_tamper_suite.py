"""The insider's tamper suite: random tamperings of a finished contest's store, each caught by the
record check of `konkurs audit verify --checkpoints`, at its first bad position, in one line.

The contest is Smart Dialog run to published results, with its views built and signed heads
published. Each tampering works on a copy of the store, the views and the checkpoint file, with
what an insider with the database has: SQL, and the project's own code, but not the signing key.
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

import pytest

from domain.aggregates import Ballot, Submission
from domain.rules.chain import GENESIS, link_rows
from konkurs.record_check import Verdict, verify_record
from projections import ViewsDB, catch_up, default_views
from services.ballots import voter_pseudonym
from services.konkurs import Konkurs
from store.chain_links import chain_pages
from tests.conftest import EXAMPLES
from tests.example_contests import run_example
from tests.factories import OPERATOR

SEED = "5e" * 32  # the deployment's signing key in this suite; the insider never holds it
PER_KIND = {"edit": 8, "delete": 6, "swap": 6, "truncate with links": 5, "rewrite the tail": 5,
            "inject ballots": 6, "inject submissions": 5, "forge a promotion": 4,
            "edit the results view": 2, "edit the tally view": 2, "edit the board view": 2}


@dataclass(frozen=True)
class Record:
    """One finished store: its files and the slug of its contest."""

    folder: Path
    slug: str

    @property
    def store(self) -> Path:
        return self.folder / "konkurs.db"

    def services(self) -> Konkurs:
        return Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(self.store)},
                       signing_key=lambda: SEED.encode(), checkpoints_path=self.folder / "checkpoints.jsonl")

    def copy(self, to: Path) -> Record:
        shutil.copytree(self.folder, to)
        return Record(to, self.slug)

    def verdict(self) -> Verdict:
        app = self.services()
        try:
            return verify_record(app, self.folder / "views.db",
                                 checkpoints=str(self.folder / "checkpoints.jsonl"))
        finally:
            app.close()


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Record:
    folder = tmp_path_factory.mktemp("finished")
    record = Record(folder / "record", "")
    record.folder.mkdir()
    app = record.services()
    [slug] = run_example(app, EXAMPLES / "smart-dialog-2023.yaml", folder / "work")
    catch_up(app.store, ViewsDB(record.folder / "views.db"), default_views())
    app.checkpoints.publish("the suite's last head")
    app.close()
    return Record(record.folder, slug)


Tampering = Callable[[Record, sqlite3.Connection, random.Random], str]  # → what must be named


def head(db: sqlite3.Connection) -> int:
    return int(db.execute("SELECT max(rowid) FROM stored_events").fetchone()[0])


def flip_a_byte(db: sqlite3.Connection, position: int, rng: random.Random) -> None:
    state = bytearray(db.execute("SELECT state FROM stored_events WHERE rowid = ?",
                                 (position,)).fetchone()[0])
    state[rng.randrange(len(state))] ^= 0x01
    db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(state), position))


def edit(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
    position = rng.randint(1, head(db))
    flip_a_byte(db, position, rng)
    return f"the log is broken at position {position}: edited"


def delete(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
    position = rng.randint(1, head(db) - 1)
    db.execute("DELETE FROM stored_events WHERE rowid = ?", (position,))
    return f"the log is broken at position {position}: deleted"


def swap(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
    first, second = sorted(rng.sample(range(1, head(db) + 1), 2))
    rows = {p: db.execute("SELECT originator_id, originator_version, topic, state FROM stored_events "
                          "WHERE rowid = ?", (p,)).fetchone() for p in (first, second)}
    db.execute("DELETE FROM stored_events WHERE rowid IN (?, ?)", (first, second))
    for position, other in ((first, second), (second, first)):
        db.execute("INSERT INTO stored_events (rowid, originator_id, originator_version, topic, "
                   "state) VALUES (?, ?, ?, ?, ?)", (position, *rows[other]))
    return f"the log is broken at position {first}: reordered"


def truncate_with_links(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
    end = rng.randint(head(db) // 2, head(db) - 1)
    db.execute("DELETE FROM stored_events WHERE rowid > ?", (end,))
    db.execute("DELETE FROM chain_links WHERE position > ?", (end,))
    return f"truncated: the log ends at position {end}"


def rewrite_the_tail(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
    """Rewrite one late row, as a forger would, readably (its time moved by a microsecond), and
    recompute every link: the stored chain agrees again."""
    position = rng.randint(head(db) - 40, head(db))
    state = db.execute("SELECT state FROM stored_events WHERE rowid = ?", (position,)).fetchone()[0]
    moved = re.sub(rb'("timestamp":"[^"]*?)(\d)Z"',
                   lambda m: m[1] + str((int(m[2]) + 1) % 10).encode() + b'Z"', state, count=1)
    assert moved != state
    db.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (moved, position))
    db.execute("DELETE FROM chain_links")
    db.commit()
    reader = record.services()
    links = list(link_rows(GENESIS, (row for page in chain_pages(reader.store.reader, 1) for row in page)))
    reader.close()
    db.executemany("INSERT INTO chain_links (position, link) VALUES (?, ?)", links)
    return "rewritten: the log no longer extends the head"


def appended(record: Record, db: sqlite3.Connection, *aggregates: object) -> int:
    """Rows for `aggregates` shaped by the project's own code, inserted at the log's end."""
    first = head(db) + 1
    app = record.services()
    for event in app.store.stored(aggregates, OPERATOR):
        db.execute("INSERT INTO stored_events (originator_id, originator_version, topic, state) "
                   "VALUES (?, ?, ?, ?)", (UUID(str(event.originator_id)).hex, event.originator_version,
                                           event.topic, event.state))
    app.close()
    return first


def inject_ballots(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
    app = record.services()
    contest = app.store.get_contest(record.slug)
    app.close()
    assert contest.judging is not None
    nomination, shortlist = rng.choice(sorted(contest.judging.shortlist.items()))
    ballots = [Ballot(contest=record.slug, nomination=nomination,
                      voter=voter_pseudonym(b"insider", f"bot-{rng.random()}"),
                      submission=rng.choice(shortlist), region="23") for _ in range(rng.randint(1, 30))]
    first = appended(record, db, *ballots)
    return f"ballot {UUID(str(ballots[0].id))} at position {first}"


def inject_submissions(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
    app = record.services()
    [existing, *_] = app.store.contest_events(record.slug, [Submission.Submitted])
    app.close()
    fields = {key: existing.state[key] for key in ("nomination", "title", "applicant", "summary")}
    forged = Submission(contest=record.slug, reference=f"FORGED-{rng.randint(1, 999)}", **fields)
    first = appended(record, db, forged)
    return f"submission {UUID(str(forged.id))} at position {first}"


def forge_a_promotion(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
    app = record.services()
    contest = app.store.get_contest(record.slug)
    app.close()
    stage = f"stage-{rng.randint(1, 89):02d}"
    contest._promotion_received(stage=stage, region="75", references=["75-X"], command_id=f"forged-{stage}")
    appended(record, db, contest)
    return f"received from {stage}"


def view_edit(statement: str, named: str) -> Tampering:
    def tamper(record: Record, db: sqlite3.Connection, rng: random.Random) -> str:
        with sqlite3.connect(record.folder / "views.db") as views:
            assert views.execute(statement, (record.slug,)).rowcount > 0
        views.close()
        return named
    return tamper


TAMPERINGS: dict[str, Tampering] = {
    "edit": edit, "delete": delete, "swap": swap, "truncate with links": truncate_with_links,
    "rewrite the tail": rewrite_the_tail, "inject ballots": inject_ballots,
    "inject submissions": inject_submissions, "forge a promotion": forge_a_promotion,
    "edit the results view": view_edit(
        "UPDATE results_standings SET reference = 'SD-FALSE' WHERE slug = ? AND place = 1", "results view"),
    "edit the tally view": view_edit("UPDATE tally_votes SET votes = votes + 7 WHERE slug = ?", "tally view"),
    "edit the board view": view_edit(
        "UPDATE board_contests SET admitted = admitted - 1, rejected = rejected + 1 WHERE slug = ?",
        "board view"),
}


@pytest.mark.only_on("sqlite", reason="tampers with the SQLite files directly")
def test_every_tampering_of_every_kind_is_caught_at_its_first_bad_position(
    finished: Record, tmp_path: Path
) -> None:
    assert finished.verdict().holds, finished.verdict().first_finding()
    rng = random.Random(16)
    caught: Counter[str] = Counter()
    for kind, count in PER_KIND.items():
        for attempt in range(count):
            record = finished.copy(tmp_path / f"{kind}-{attempt}".replace(" ", "-"))
            with sqlite3.connect(record.store) as db:
                expected = TAMPERINGS[kind](record, db, rng)
            db.close()
            verdict = record.verdict()
            finding = verdict.first_finding() or ""
            assert not verdict.holds, f"{kind} #{attempt} went unnoticed"
            assert "\n" not in finding
            assert expected in finding, f"{kind} #{attempt}: expected {expected!r}, found {finding!r}"
            caught[kind] += 1
            shutil.rmtree(record.folder)
    print("\ncaught by kind:")
    for kind, count in PER_KIND.items():
        print(f"  {kind:<22} {caught[kind]:>2} of {count}")
    assert sum(PER_KIND.values()) >= 50 and caught == Counter(PER_KIND)
