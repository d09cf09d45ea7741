"""The tamper-evident hash chain over the event log, and the walk that finds where it breaks.

Each link hashes the previous link and one stored event. Every field is length-prefixed, so no
two different events can encode to the same bytes (a topic ending where the state begins).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple
from uuid import UUID

GENESIS = bytes(32)

# previous link (32 bytes), position (8), originator id (16), version (8), then the topic's length:
# each field preceded by its length, the fixed ones' lengths being constants.
_FIXED = struct.Struct(">Q32sQQQ16sQQQ")
_LENGTH = struct.Struct(">Q")


def link(previous: bytes, position: int, originator: bytes, version: int, topic: str,
         state: bytes) -> bytes:
    """SHA-256 over the length-prefixed fields; `originator` is the id's 16 bytes."""
    name = topic.encode()
    return hashlib.sha256(b"".join((
        _FIXED.pack(32, previous, 8, position, 16, originator, 8, version, len(name)),
        name, _LENGTH.pack(len(state)), state,
    ))).digest()


class ChainRow(NamedTuple):
    """One stored event as the chain sees it: its raw stored state, not the decoded one."""

    position: int
    originator: bytes
    version: int
    topic: str
    state: bytes


class BreakKind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    INSERTED = "inserted"
    REORDERED = "reordered"
    VERSIONS = "versions"


@dataclass(frozen=True)
class ChainBreak:
    position: int
    kind: BreakKind
    detail: str

    def describe(self) -> str:
        return f"the log is broken at position {self.position}: {self.kind} ({self.detail})"


def link_rows(previous: bytes, rows: Iterable[ChainRow]) -> Iterator[tuple[int, bytes]]:
    """(position, link) of each row, continuing the chain from `previous`."""
    for row in rows:
        previous = link(previous, *row)
        yield row.position, previous


def intact(rows: Iterable[ChainRow], links: Iterable[tuple[int, bytes]]) -> bool:
    """The quick walk over an untouched log: each row matches its link at its own position and
    each aggregate's versions follow on. False at the first doubt; `first_break` then says what."""
    previous, versions = GENESIS, dict[bytes, int]()
    stored_links = iter(links)
    for row in rows:
        stored = next(stored_links, None)
        if stored is not None:  # rows after the last link are judged by their versions only
            if stored[0] != row.position or link(previous, *row) != stored[1]:
                return False
            previous = stored[1]
        if versions.get(row.originator, 0) + 1 != row.version:
            return False
        versions[row.originator] = row.version
    return next(stored_links, None) is None


def first_break(rows: Iterable[ChainRow], links: Mapping[int, bytes]) -> ChainBreak | None:
    """Walk `rows` in log order against the stored `links` of positions 1…N; None when intact.

    Rows after the last link are not judged by the chain (they are not linked yet), but their
    versions are.
    """
    linked = sorted(links)
    last_linked = linked[-1] if linked else 0
    versions: dict[bytes, int] = {}
    expected = 1
    iterator = iter(rows)
    for row in iterator:
        if row.position > expected <= last_linked:
            return ChainBreak(expected, BreakKind.DELETED, "a linked position has no row")
        if row.position <= last_linked:
            if row.position not in links:
                return ChainBreak(row.position, BreakKind.INSERTED, "a row with no link")
            if not _belongs_at(row, row.position, links):
                return _classify(row, iterator, links, last_linked)
            expected = row.position + 1
        wanted = versions.get(row.originator, 0) + 1
        if row.version != wanted:
            return ChainBreak(row.position, BreakKind.VERSIONS,
                              f"aggregate {UUID(bytes=row.originator)} has version {row.version} "
                              f"where {wanted} was due")
        versions[row.originator] = row.version
    if expected <= last_linked:
        return ChainBreak(expected, BreakKind.DELETED, "a linked position has no row")
    return None


def _belongs_at(row: ChainRow, position: int, links: Mapping[int, bytes]) -> bool:
    stored = links.get(position)
    previous = links.get(position - 1, GENESIS if position == 1 else None)
    if stored is None or previous is None:
        return False
    return link(previous, position, *row[1:]) == stored


def _classify(row: ChainRow, rest: Iterator[ChainRow], links: Mapping[int, bytes],
              last_linked: int) -> ChainBreak:
    """Name the break at `row.position` by finding where its content and its successor's belong."""
    here = row.position
    following = next(rest, None)
    home = next((p for p in range(here + 1, last_linked + 1) if _belongs_at(row, p, links)), None)
    if home is None:
        if following is not None and _belongs_at(following, here, links):
            return ChainBreak(here, BreakKind.INSERTED, "a row that was never linked pushed "
                                                        "the rest down")
        swapped = _swapped_version(row, [following] if following else [], rest, links)
        if swapped is not None:
            return ChainBreak(here, BreakKind.REORDERED, swapped)
        return ChainBreak(here, BreakKind.EDITED, "the row's content does not match its link")
    closed_up = home == here + 1 and (
        following is None or _belongs_at(following, here + 2, links))
    if closed_up:
        return ChainBreak(here, BreakKind.DELETED, "the row was removed and the rest moved up")
    return ChainBreak(here, BreakKind.REORDERED, f"the row linked at position {home} is here")


def _swapped_version(row: ChainRow, seen: list[ChainRow], rest: Iterator[ChainRow],
                     links: Mapping[int, bytes]) -> str | None:
    """Whether `row` holds what another version of its own aggregate held (its content, or its
    version number): two versions swapped, which is no edit of either."""
    for other in (*seen, *rest):
        if other.originator == row.originator and (
                _belongs_at(row._replace(topic=other.topic, state=other.state), row.position, links)
                or _belongs_at(row._replace(version=other.version), row.position, links)):
            low, high = sorted((row.version, other.version))
            return (f"versions {low} and {high} of aggregate "
                    f"{UUID(bytes=row.originator)} have swapped contents (positions "
                    f"{row.position} and {other.position})")
    return None
