"""Anchored heads as an auditor uses them: `konkurs audit head --sign` appends a signed head to the
checkpoint file, and `konkurs audit verify --checkpoints` catches what the chain alone cannot: an
insider with the SQLite file who cuts off the tail with its links, or rewrites it and relinks."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from domain.rules.checkpoints import SignedHead, parse_heads
from tests.e2e.api_server import ApiServer
from tests.e2e.conftest import Cli, Contests, Store
from tests.unit.test_chain import events_table

pytestmark = pytest.mark.only_on("sqlite", reason="tampers with the SQLite file as an insider would")


def sign(cli: Cli) -> SignedHead:
    done = cli("audit", "head", "--sign", "--json")
    done.assert_ok()
    return SignedHead.model_validate_json(done.stdout)


def tamper(store: Store, statements: list[tuple[str, tuple[object, ...]]]) -> None:
    with sqlite3.connect(store.env["SQLITE_DBNAME"]) as db:
        table = events_table(db)
        for statement, parameters in statements:
            db.execute(statement.replace("EVENTS", table), parameters)
    db.close()


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_a_tail_cut_off_with_its_links_is_caught_by_the_signed_head(
    cli: Cli, contests: Contests, store: Store, home: Path, tmp_path: Path
) -> None:
    contests.judging()
    key = cli("audit", "key")
    key.assert_ok()
    head = sign(cli)
    assert head.public_key == key.stdout.strip() and head.reason == "manual"
    assert head.position == store.head() and head.position > 8
    checkpoint_file = home / "checkpoints.jsonl"
    assert parse_heads(checkpoint_file.read_text().splitlines(), "file").heads == [head]

    kept = head.position - 3
    server = ApiServer(cli.env, tmp_path / "api.log")
    server.start()
    try:
        served = httpx.get(f"{server.url}/v1/checkpoints", timeout=30)
        assert served.status_code == 200 and served.json() == [head.model_dump(mode="json")]
        holding = cli("audit", "verify", "--checkpoints", f"{server.url}/v1/checkpoints")
        holding.assert_ok()
        assert (f"signed heads hold: the log extends all 1 head, the latest at position {head.position}\n"
                f"  signed with key {head.public_key}\n") in holding.stdout

        # The insider deletes the last three events and their links: the chain alone is intact.
        tamper(store, [("DELETE FROM EVENTS WHERE rowid > ?", (kept,)),
                       ("DELETE FROM chain_links WHERE position > ?", (kept,))])
        alone = cli("audit", "verify")
        assert f"chain intact: {kept} events" in alone.stdout

        for source in (str(checkpoint_file), f"{server.url}/v1/checkpoints"):
            caught = cli("audit", "verify", "--checkpoints", source)
            assert caught.code == 1 and "Traceback" not in caught.stderr
            assert (f"error: truncated: the log ends at position {kept}, but a head signed "
                    f"{head.signed_at} covers position {head.position}") in caught.error_lines
    finally:
        server.kill()

    as_json = cli("audit", "verify", "--checkpoints", str(checkpoint_file), "--json")
    assert as_json.code == 1
    checked = json.loads(as_json.stdout)
    assert checked["intact"] is True and checked["holds"] is False
    assert checked["checkpoints"]["source"] == str(checkpoint_file)
    assert [(f["kind"], f["position"]) for f in checked["checkpoints"]["findings"]] == [
        ("truncated", head.position)]


@pytest.mark.slow  # 10–20 s of CLI processes: `make test-slow` (the default suite keeps to its time)
def test_a_tail_rewritten_with_its_links_recomputed_is_placed_between_two_heads(
    cli: Cli, contests: Contests, store: Store, home: Path
) -> None:
    contests.screening()
    before = sign(cli)
    contests.open_judging(contests.panel)
    after = sign(cli)
    assert after.position > before.position + 2

    # The insider edits an expert's enrolment, recorded between the two heads, and relinks the
    # chain from there: `audit verify` alone finds the chain intact.
    with sqlite3.connect(store.env["SQLITE_DBNAME"]) as db:
        table = events_table(db)
        position, state = db.execute(
            f"SELECT rowid, state FROM {table} WHERE rowid > ? AND topic LIKE '%Expert.Enrolled' "
            "ORDER BY rowid LIMIT 1", (before.position,)).fetchone()
    db.close()
    edited = bytes(state).replace("Экспертный совет".encode(), "Экспертный Совет".encode())
    assert edited != bytes(state)
    tamper(store, [("UPDATE EVENTS SET state = ? WHERE rowid = ?", (edited, position)),
                   ("DELETE FROM chain_links WHERE position >= ?", (position,))])
    assert f"chain intact: {after.position} events" in cli("audit", "verify").stdout

    caught = cli("audit", "verify", "--checkpoints", str(home / "checkpoints.jsonl"))
    assert caught.code == 1 and "Traceback" not in caught.stderr
    assert (f"error: rewritten: the log no longer extends the head at position {after.position} "
            f"(signed {after.signed_at}); it still extends the head at position {before.position} "
            f"(signed {before.signed_at}), so the change lies in positions "
            f"{before.position + 1}–{after.position}") in caught.error_lines

    stranger = cli("audit", "verify", "--checkpoints", str(home / "checkpoints.jsonl"),
                   "--public-key", "ab" * 32)
    assert stranger.code == 1
    assert sum("error: signature: " in line and "not trusted" in line for line in stranger.error_lines) == 2
