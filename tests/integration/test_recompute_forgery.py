"""A forger with the SQLite file rewrites a result and relinks the chain: the seals catch it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from services.konkurs import Konkurs
from tests.unit.test_recompute import failing


@pytest.mark.only_on("sqlite", reason="rewrites rows of the SQLite file as a forger with the file would")
def test_a_rewritten_judging_outcome_with_a_relinked_chain_is_caught_by_the_later_seals(
    konkurs: Konkurs, published: str, store_env: dict[str, str]
) -> None:
    """The forger edits a score and recomputes every link after it, so `verify_chain` passes;
    the seals recorded after it still hold the old chain, and the recomputation the real score."""
    with sqlite3.connect(store_env["SQLITE_DBNAME"]) as database:
        position, state = database.execute(
            "SELECT rowid, state FROM stored_events WHERE topic LIKE '%Contest.JudgingConcluded'").fetchone()
        outcome = json.loads(state)
        entry = outcome["outcome"]["rankings"][0]["entries"][0]
        entry["score"] += 1
        database.execute("UPDATE stored_events SET state = ? WHERE rowid = ?",
                         (json.dumps(outcome, ensure_ascii=False).encode(), position))
        database.execute("DELETE FROM chain_links WHERE position >= ?", (position,))
    konkurs.chain.extend()

    assert konkurs.chain.verify() is None
    found = failing(konkurs.audit.audit_contest(published))
    assert any("judging: nomination" in d and f"place 1, score: recorded {entry['score']}" in d
               for d in found["judging"])
    sealed_later = [d for d in found["seal"] if "chain head at position" in d]
    assert len(sealed_later) == 3  # the tally, the declaration and the publication came after it
