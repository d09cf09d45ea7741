"""The hash chain against hands on the SQLite file: every edit, deletion and swap is caught."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from domain.rules.chain import BreakKind
from services.konkurs import Konkurs
from tests.unit.test_chain import TAMPERINGS, TAMPERS, events_table, fill


@pytest.mark.only_on("sqlite", reason="tampers with the SQLite file directly")
def test_every_random_tampering_is_caught_at_its_first_bad_position(
    konkurs: Konkurs, store_env: dict[str, str], tmp_path: Path
) -> None:
    fill(konkurs)
    head = konkurs.chain.extend()
    size = head.position
    assert size == konkurs.store.head_position() >= 8
    assert konkurs.chain.verify() is None
    konkurs.close()
    original = Path(store_env["SQLITE_DBNAME"])

    rng = random.Random(7)
    caught, kinds = 0, set()
    for attempt in range(TAMPERINGS):
        copy = tmp_path / f"tampered-{attempt}.db"
        shutil.copyfile(original, copy)
        tamper = TAMPERS[attempt % len(TAMPERS)]
        with sqlite3.connect(copy) as db:
            expected = tamper(db, events_table(db), rng, size)
        db.close()
        app = Konkurs(env={**store_env, "SQLITE_DBNAME": str(copy)})
        broken = app.chain.verify()
        app.close()
        assert broken is not None, f"{tamper.__name__} went unnoticed"
        assert (broken.position, str(broken.kind)) == expected, tamper.__name__
        caught += 1
        kinds.add(broken.kind)
    assert caught == TAMPERINGS
    assert kinds == {BreakKind.EDITED, BreakKind.DELETED, BreakKind.REORDERED, BreakKind.INSERTED}

    untouched = Konkurs(env=store_env)
    assert untouched.chain.verify() is None
    assert untouched.chain.extend() == head
    untouched.close()


@pytest.mark.only_on("sqlite", reason="tampers with the SQLite file directly")
def test_a_state_edited_into_text_by_hand_reads_as_an_edit(
    konkurs: Konkurs, store_env: dict[str, str]
) -> None:
    """`UPDATE … SET state = replace(state, …)` leaves SQLite text where a blob was."""
    fill(konkurs)
    konkurs.chain.extend()
    with sqlite3.connect(store_env["SQLITE_DBNAME"]) as db:
        db.execute(
            f"UPDATE {events_table(db)} SET state = replace(CAST(state AS TEXT), 'P-3', 'P-9') "
            "WHERE rowid = 6"
        )
    db.close()
    broken = konkurs.chain.verify()
    assert broken is not None and (broken.position, broken.kind) == (6, BreakKind.EDITED)
