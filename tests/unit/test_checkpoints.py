"""Signed chain heads against the log: good heads hold; a truncated log, a tail rewritten with its
links recomputed, a forked record, a forged signature and the wrong key are each named at the
right position. Also: sealing a result appends a head, and the worker publishes while the log grows."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.commands.order import ContestOrder
from domain.errors import KonkursError
from domain.rules.chain import GENESIS, ChainRow, link_rows
from domain.rules.checkpoints import (
    CheckpointReport,
    HeadFailure,
    SignedHead,
    check_heads,
    head_message,
    parse_heads,
)
from konkurs.bootstrap import Bootstrap
from konkurs.settings import Settings
from konkurs.worker import checkpointing
from services.checkpoints import Checkpoints
from services.konkurs import Konkurs
from services.signing import SigningKey, signature_holds
from tests.factories import OPERATOR
from tests.unit.test_chain import fill

KEY = SigningKey(lambda: b"11" * 32)
OTHER_KEY = SigningKey(lambda: b"22" * 32)
START = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def log(size: int, edited: int | None = None) -> list[ChainRow]:
    """`size` rows of one aggregate; with `edited`, that row's state differs."""
    aggregate = uuid.UUID(int=7).bytes
    return [ChainRow(p, aggregate, p, "t", b"edited" if p == edited else f"state {p}".encode())
            for p in range(1, size + 1)]


def links(rows: list[ChainRow]) -> Iterator[tuple[int, bytes]]:
    """Recomputed from GENESIS, streamed: as verification sees any log, relinked or not."""
    return link_rows(GENESIS, iter(rows))


def signed(rows: list[ChainRow], position: int, minutes: int, key: SigningKey = KEY,
           reason: str = "checkpoint") -> SignedHead:
    """The head of `rows` at `position`, signed `minutes` after START."""
    link = dict(link_rows(GENESIS, rows))[position].hex()
    signed_at = (START + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return SignedHead(position=position, link=link, signed_at=signed_at, reason=reason,
                      public_key=key.public_hex,
                      signature=key.sign(head_message(position, link, signed_at, reason)))


def check(heads: list[SignedHead], rows: list[ChainRow], key: SigningKey = KEY) -> CheckpointReport:
    return check_heads(heads, links(rows), key.public_hex, signature_holds)


def only(report: CheckpointReport) -> tuple[HeadFailure, int | None, str]:
    assert len(report.findings) == 1, [f.describe() for f in report.findings]
    finding = report.findings[0]
    return finding.kind, finding.position, finding.describe()


ORIGINAL = log(12)
HEADS = [signed(ORIGINAL, 3, 0, reason="seal"), signed(ORIGINAL, 6, 10), signed(ORIGINAL, 10, 20)]


def test_heads_of_the_log_hold_and_so_does_the_log_grown_since() -> None:
    report = check(HEADS, ORIGINAL)
    assert report.holds and report.findings == []
    assert (report.heads, report.trusted, report.log_end, report.extended) == (3, 3, 12, 10)
    assert check(HEADS, [*ORIGINAL, *log(15)[12:]]).holds


def test_a_truncated_log_is_named_with_its_end_and_the_head_beyond_it() -> None:
    kind, position, line = only(check(HEADS, ORIGINAL[:8]))
    assert (kind, position) == (HeadFailure.TRUNCATED, 10)
    assert line == ("truncated: the log ends at position 8, but a head signed 2026-12-07T10:20:00Z "
                    "covers position 10")


def test_a_log_cut_below_several_heads_names_the_furthest_and_counts_the_rest() -> None:
    kind, position, line = only(check(HEADS, ORIGINAL[:4]))
    assert (kind, position) == (HeadFailure.TRUNCATED, 10)
    assert line.endswith("covers position 10 (1 more head beyond the end)")


def test_a_tail_rewritten_with_its_links_recomputed_is_placed_between_the_heads() -> None:
    rewritten = log(12, edited=8)
    kind, position, line = only(check(HEADS, rewritten))
    assert (kind, position) == (HeadFailure.REWRITTEN, 10)
    assert line == ("rewritten: the log no longer extends the head at position 10 (signed "
                    "2026-12-07T10:20:00Z); it still extends the head at position 6 (signed "
                    "2026-12-07T10:10:00Z), so the change lies in positions 7–10")


def test_a_rewrite_below_every_head_is_placed_from_the_start() -> None:
    kind, position, line = only(check(HEADS, log(12, edited=2)))
    assert (kind, position) == (HeadFailure.REWRITTEN, 3)
    assert line.endswith("it extends no earlier head, so the change lies in positions 1–3 "
                         "(2 later heads fail with it)")


def test_a_head_signed_over_the_rewrite_forks_the_record() -> None:
    """The insider rewrites position 5; the worker then signs the rewritten chain at 11. The log
    extends the new head, not the old one at 6: the key signed two histories."""
    rewritten = log(12, edited=5)
    heads = [*HEADS, signed(rewritten, 11, 30)]
    kind, position, line = only(check(heads, rewritten))
    assert (kind, position) == (HeadFailure.FORKED, 6)
    assert line == ("forked: the head at position 6 (signed 2026-12-07T10:10:00Z) and the head at "
                    "position 11 (signed 2026-12-07T10:30:00Z) attest two different histories: the "
                    "log extends the one at position 11, not the one at position 6; it still extends "
                    "the head at position 3 (signed 2026-12-07T10:00:00Z), so the histories part in "
                    "positions 4–6")


def test_two_heads_at_one_position_naming_different_links_fork_the_record() -> None:
    heads = [signed(ORIGINAL, 10, 0), signed(log(12, edited=9), 10, 5)]
    report = check(heads, ORIGINAL)
    kind, position, line = only(report)
    assert (kind, position) == (HeadFailure.FORKED, 10)
    assert "the log extends the one at position 10, not the one at position 10" in line


def test_a_head_a_later_head_was_signed_over_does_not_bound_the_change() -> None:
    """Truncated to 7 and grown again with other rows; the worker signed the new chain at 8. That
    head was signed after the one at 10, so it cannot say the change lies after position 8."""
    regrown = [*ORIGINAL[:7], *log(12, edited=8)[7:]]
    heads = [*HEADS, signed(regrown, 8, 30)]
    kind, position, line = only(check(heads, regrown))
    assert (kind, position) == (HeadFailure.REWRITTEN, 10)
    assert "it still extends the head at position 6 (signed 2026-12-07T10:10:00Z), so the change " \
           "lies in positions 7–10" in line


def test_a_forged_signature_is_reported_and_the_head_not_trusted() -> None:
    """The insider rewrote the tail and edited the published head's link to match: the signature
    does not hold, so the edited head is reported, and the log is not judged by it."""
    rewritten = log(12, edited=8)
    forged = HEADS[2].model_copy(update={"link": dict(link_rows(GENESIS, rewritten))[10].hex()})
    report = check([*HEADS[:2], forged], rewritten)
    kind, position, line = only(report)
    assert (kind, position) == (HeadFailure.SIGNATURE, 10)
    assert line == (f"signature: the signature of the head at position 10 (signed 2026-12-07T10:20:00Z) "
                    f"does not hold under key {KEY.public_hex}: not trusted")
    assert (report.trusted, report.extended) == (2, 6)


def test_heads_signed_with_another_key_are_each_named_and_not_trusted() -> None:
    """A forger re-signs a head with a key of their own: it is not the key checked with."""
    report = check([HEADS[0], signed(log(12, edited=8), 10, 20, key=OTHER_KEY)], log(12, edited=8))
    kind, position, line = only(report)
    assert (kind, position) == (HeadFailure.SIGNATURE, 10)
    assert f"is signed with key {OTHER_KEY.public_hex}, not the key checked with ({KEY.public_hex})" in line


def test_checked_with_the_wrong_key_every_head_is_named() -> None:
    report = check(HEADS, ORIGINAL, key=OTHER_KEY)
    assert [(f.kind, f.position) for f in report.findings] == [(HeadFailure.SIGNATURE, p) for p in (3, 6, 10)]
    assert report.trusted == 0 and not report.holds


def test_every_field_of_a_head_is_signed() -> None:
    head = HEADS[1]
    for change in ({"position": 7}, {"link": "0" * 64}, {"signed_at": "2026-12-07T10:11:00Z"},
                   {"reason": "seal"}):
        assert only(check([head.model_copy(update=change)], ORIGINAL))[0] == HeadFailure.SIGNATURE, change


def test_the_signed_message_is_the_documented_encoding() -> None:
    """docs/audit.md: each field preceded by its length (8 bytes, big-endian): a tag, the position,
    the link's bytes, signed_at and reason. Heads published now must verify with later releases."""
    link = hashlib.sha256(b"x").hexdigest()
    fields = [b"konkurs chain head v1", (900).to_bytes(8, "big"), bytes.fromhex(link),
              b"2026-12-07T10:00:00Z", b"seal"]
    expected = b"".join(len(f).to_bytes(8, "big") + f for f in fields)
    assert head_message(900, link, "2026-12-07T10:00:00Z", "seal") == expected


def test_heads_read_from_json_lines_or_an_array_and_each_unreadable_line_named() -> None:
    lines = [HEADS[0].model_dump_json(), "", '{"position": 4}', HEADS[1].model_dump_json() + "\n"]
    read = parse_heads(lines, "heads.jsonl")
    assert read.heads == HEADS[:2]
    assert read.unreadable == ["heads.jsonl:3: not a signed head (link: Field required)"]
    report = check_heads(read.heads, links(ORIGINAL), KEY.public_hex, signature_holds, read.unreadable)
    assert [(f.kind, f.position) for f in report.findings] == [(HeadFailure.UNREADABLE, None)]

    array = "[\n" + ",\n".join(h.model_dump_json() for h in HEADS) + "\n]"
    assert parse_heads(array.splitlines(keepends=True), "url").heads == HEADS


# --- The service: the file, sealing, the worker's periodic heads ---------------------------------


def heads_in(path: Path) -> list[SignedHead]:
    read = parse_heads(path.read_text().splitlines(), str(path))
    assert read.unreadable == []
    return read.heads


def test_sealing_a_result_appends_a_signed_head_to_the_file(konkurs: Konkurs, wiring: Bootstrap) -> None:
    path = wiring.settings.checkpoints_path
    assert konkurs.checkpoints.path == path
    fill(konkurs)
    konkurs.results.conclude_screening(ContestOrder(slug="test-contest", command_id="screen", actor=OPERATOR))

    seal = konkurs.store.get_contest("test-contest").screening
    assert seal is not None and seal.seal is not None
    [head] = heads_in(path)
    assert (head.reason, head.position, head.link) == ("seal", seal.seal.chain_position, seal.seal.chain_head)
    assert head.public_key == konkurs.signing.public_hex
    assert signature_holds(head.public_key, head.message, head.signature)
    assert konkurs.checkpoints.verify(path).holds


def test_publishing_only_appends(konkurs: Konkurs, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "heads.jsonl"
    checkpoints = Checkpoints(konkurs.chain, konkurs.signing, path)
    with pytest.raises(KonkursError, match="the log is empty"):
        checkpoints.publish()
    fill(konkurs)
    first = checkpoints.publish()
    before = path.read_bytes()
    with path.open("ab") as file:
        file.write(b'{"torn": ')  # a crash in mid-line
    second = checkpoints.publish("manual")
    assert path.read_bytes().startswith(before)
    read = checkpoints.read(path)
    assert read.heads == [first, second] and len(read.unreadable) == 1
    assert checkpoints.last() == second
    assert checkpoints.publish_if_grown() is None
    assert Checkpoints(konkurs.chain, konkurs.signing, None).heads() == []


async def test_the_worker_publishes_a_head_while_the_log_grows_and_stops_with_it(
    konkurs: Konkurs, wiring: Bootstrap
) -> None:
    path = wiring.settings.checkpoints_path
    fill(konkurs)
    filled = konkurs.store.head_position()

    async def heads_become(count: int) -> list[SignedHead]:
        for _ in range(200):
            found = heads_in(path) if path.exists() else []
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"{count} heads never appeared")

    async with checkpointing(konkurs.checkpoints, every=0.02):
        [first] = await heads_become(1)
        await asyncio.sleep(0.1)
        assert len(heads_in(path)) == 1  # the log did not grow: no new head
        await asyncio.to_thread(konkurs.results.conclude_screening,
                                ContestOrder(slug="test-contest", command_id="screen", actor=OPERATOR))
        found = await heads_become(3)
    assert [h.reason for h in found] == ["checkpoint", "seal", "checkpoint"]
    assert first.position == filled == found[1].position  # the seal's head: the log before the result
    assert found[2].position == konkurs.store.head_position()
    await asyncio.sleep(0.1)
    assert len(heads_in(path)) == 3


def test_a_worker_refuses_to_start_when_it_could_not_sign(
    store_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KONKURS_SIGNING_KEY", raising=False)
    production = Settings(home=tmp_path, persistence_module=store_env["PERSISTENCE_MODULE"], production=True)
    wiring = Bootstrap(production, store_env=store_env)
    try:
        with pytest.raises(KonkursError, match="KONKURS_SIGNING_KEY must be set"):
            wiring.checkpointing()
    finally:
        wiring.close()


def test_the_settings_name_the_file_and_the_interval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(home=tmp_path, persistence_module="eventsourcing.sqlite", production=False)
    monkeypatch.delenv("KONKURS_CHECKPOINTS", raising=False)
    monkeypatch.delenv("KONKURS_CHECKPOINT_EVERY", raising=False)
    assert (settings.checkpoints_path, settings.checkpoint_every) == (tmp_path / "checkpoints.jsonl", 600)
    monkeypatch.setenv("KONKURS_CHECKPOINTS", str(tmp_path / "mnt" / "heads.jsonl"))
    monkeypatch.setenv("KONKURS_CHECKPOINT_EVERY", "0")
    assert (settings.checkpoints_path, settings.checkpoint_every) == (tmp_path / "mnt" / "heads.jsonl", 0)
    monkeypatch.setenv("KONKURS_CHECKPOINT_EVERY", "soon")
    with pytest.raises(KonkursError, match="KONKURS_CHECKPOINT_EVERY='soon'"):
        _ = settings.checkpoint_every
