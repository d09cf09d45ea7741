"""The hash chain over the log: any tampering of a stored row shows at the first bad position."""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from domain.aggregates import Applicant
from domain.commands.contest import Announce
from domain.commands.intake import SubmissionForm, Submit
from domain.phases import Phase
from domain.rules.chain import GENESIS, BreakKind, ChainRow, first_break, link, link_rows
from domain.spec import ApplicantKind
from services.konkurs import Konkurs
from tests.factories import OPERATOR, close_phase, make_spec

TAMPERINGS = 50


def fill(app: Konkurs) -> None:
    spec = make_spec(datetime.now(UTC) + timedelta(days=1))
    app.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR))
    close_phase(app, spec.slug, Phase.ANNOUNCED, "open")
    forms = [
        (
            f"row {k}",
            SubmissionForm(
                reference=f"P-{k}",
                nomination="HC-1",
                title=f"Практика {k}",
                applicant=Applicant(name=f"Учреждение {k}", kind=ApplicantKind.NGO, region="75"),
            ),
        )
        for k in range(6)
    ]
    app.submissions.submit(Submit(slug=spec.slug, forms=forms, actor=OPERATOR))
    close_phase(app, spec.slug, Phase.COLLECTING, "close collection")


def events_table(db: sqlite3.Connection) -> str:
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return next(name for name in names if name.endswith("events"))


def edit_a_byte(db: sqlite3.Connection, table: str, rng: random.Random, size: int) -> tuple[int, str]:
    position = rng.randint(1, size)
    state = bytearray(db.execute(f"SELECT state FROM {table} WHERE rowid=?", (position,)).fetchone()[0])
    state[rng.randrange(len(state))] ^= 1 << rng.randrange(8)
    db.execute(f"UPDATE {table} SET state=? WHERE rowid=?", (bytes(state), position))
    return position, "edited"


def delete_a_row(db: sqlite3.Connection, table: str, rng: random.Random, size: int) -> tuple[int, str]:
    position = rng.randint(1, size)
    db.execute(f"DELETE FROM {table} WHERE rowid=?", (position,))
    return position, "deleted"


def swap_two_rows(db: sqlite3.Connection, table: str, rng: random.Random, size: int) -> tuple[int, str]:
    first, second = sorted(rng.sample(range(1, size + 1), 2))
    for old, new in ((first, -1), (second, first), (-1, second)):
        db.execute(f"UPDATE {table} SET rowid=? WHERE rowid=?", (new, old))
    return first, "reordered"


def insert_a_forged_event(
    db: sqlite3.Connection, table: str, rng: random.Random, size: int
) -> tuple[int, str]:
    position = rng.randint(1, size)
    # Make room in log order: every later row moves down one place.
    db.execute(f"UPDATE {table} SET rowid=-(rowid+1) WHERE rowid>=?", (position,))
    db.execute(f"UPDATE {table} SET rowid=-rowid WHERE rowid<0")
    topic = db.execute(f"SELECT topic FROM {table} WHERE rowid=?", (position + 1,)).fetchone()[0]
    db.execute(
        f"INSERT INTO {table} (rowid, originator_id, originator_version, topic, state) VALUES (?,?,?,?,?)",
        (position, uuid.uuid4().hex, 1, topic, json.dumps({"forged": True}).encode()),
    )
    return position, "inserted"


Tampering = Callable[[sqlite3.Connection, str, random.Random, int], tuple[int, str]]
TAMPERS: list[Tampering] = [edit_a_byte, delete_a_row, swap_two_rows, insert_a_forged_event]


def test_extending_links_only_new_events_and_continues_the_same_chain(konkurs: Konkurs) -> None:
    fill(konkurs)
    first = konkurs.chain.extend()
    close_phase(konkurs, "test-contest", Phase.SCREENING, "close screening")
    second = konkurs.chain.extend()
    assert second.position == first.position + 1 == konkurs.store.head_position()
    whole = list(link_rows(GENESIS, konkurs.chain.rows()))
    assert whole[-1] == (second.position, second.link)
    assert whole[first.position - 1] == (first.position, first.link)


def rows_of(*versions: tuple[uuid.UUID, int]) -> list[ChainRow]:
    return [
        ChainRow(k, aggregate.bytes, version, "t", b"s")
        for k, (aggregate, version) in enumerate(versions, start=1)
    ]


def test_an_aggregate_whose_versions_skip_is_reported_where_the_gap_is() -> None:
    one, two = uuid.uuid4(), uuid.uuid4()
    rows = rows_of((one, 1), (two, 1), (one, 3))
    broken = first_break(rows, dict(link_rows(GENESIS, rows)))
    assert broken is not None
    assert (broken.position, broken.kind) == (3, BreakKind.VERSIONS)


def test_a_row_removed_with_the_rest_moved_up_reads_as_a_deletion() -> None:
    aggregate = uuid.uuid4()
    rows = rows_of(*((aggregate, v) for v in range(1, 6)))
    links = dict(link_rows(GENESIS, rows))
    closed_up = [
        ChainRow(p, r.originator, r.version, r.topic, r.state)
        for p, r in enumerate(rows[:2] + rows[3:], start=1)
    ]
    broken = first_break(closed_up, links)
    assert broken is not None
    assert (broken.position, broken.kind) == (3, BreakKind.DELETED)


def test_a_link_depends_on_every_field_and_on_where_one_ends() -> None:
    aggregate = uuid.uuid4().bytes
    base = link(GENESIS, 1, aggregate, 1, "ab", b"c")
    assert link(GENESIS, 1, aggregate, 1, "a", b"bc") != base
    assert link(GENESIS, 2, aggregate, 1, "ab", b"c") != base
    assert link(GENESIS, 1, aggregate, 2, "ab", b"c") != base
    assert link(GENESIS, 1, uuid.uuid4().bytes, 1, "ab", b"c") != base
    assert link(b"\x01" * 32, 1, aggregate, 1, "ab", b"c") != base
    assert len(base) == 32


def test_a_link_is_the_documented_hash_so_published_heads_stay_checkable() -> None:
    """SHA-256 over each field preceded by its length (8 bytes, big-endian), as docs/audit.md
    says: heads posted by earlier releases must verify with this one."""
    previous, aggregate = bytes(range(32)), uuid.UUID("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    fields = [
        previous,
        (7).to_bytes(8, "big"),
        aggregate.bytes,
        (3).to_bytes(8, "big"),
        b"domain.aggregates.contest:Contest.Announced",
        '{"a":"б"}'.encode(),
    ]
    expected = hashlib.sha256(b"".join(len(f).to_bytes(8, "big") + f for f in fields)).digest()
    assert (
        link(
            previous,
            7,
            aggregate.bytes,
            3,
            "domain.aggregates.contest:Contest.Announced",
            '{"a":"б"}'.encode(),
        )
        == expected
    )


def test_two_extenders_at_once_leave_one_chain(konkurs: Konkurs) -> None:
    from threading import Barrier, Thread

    fill(konkurs)
    start = Barrier(2)
    heads: list[object] = []

    def extend() -> None:
        start.wait()
        heads.append(konkurs.chain.extend())

    threads = [Thread(target=extend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(heads) == 2 and heads[0] == heads[1]
    assert konkurs.chain.verify() is None


def test_two_versions_of_one_aggregate_swapped_read_as_reordered_versions_not_an_edit() -> None:
    aggregate, other = bytes(range(16)), bytes(16)
    rows = [ChainRow(1, aggregate, 1, "A.Created", b"one"), ChainRow(2, other, 1, "B.Created", b"x"),
            ChainRow(3, aggregate, 2, "A.Changed", b"two"), ChainRow(4, aggregate, 3, "A.Changed", b"three")]
    links = dict(link_rows(GENESIS, rows))
    contents = [rows[0], rows[1], rows[2]._replace(state=b"three"), rows[3]._replace(state=b"two")]
    numbers = [rows[0], rows[1], rows[2]._replace(version=3), rows[3]._replace(version=2)]

    for swapped in (contents, numbers):
        found = first_break(swapped, links)
        assert found is not None and (found.position, found.kind) == (3, BreakKind.REORDERED)
        assert "versions 2 and 3 of aggregate" in found.detail and "positions 3 and 4" in found.detail
