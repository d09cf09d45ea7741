"""The tamper-evident hash chain over the event log, and the walk that finds where it breaks.

Each link hashes the previous link and one stored event. Every field is length-prefixed, so no
two different events can encode to the same bytes (a topic ending where the state begins).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

GENESIS = bytes(32)


def link(previous: bytes, position: int, originator_id: UUID, version: int, topic: str,
         state: bytes) -> bytes:
    digest = hashlib.sha256()
    for field in (previous, position.to_bytes(8, "big"), originator_id.bytes,
                  version.to_bytes(8, "big"), topic.encode(), state):
        digest.update(len(field).to_bytes(8, "big"))
        digest.update(field)
    return digest.digest()


@dataclass(frozen=True)
class ChainRow:
    """One stored event as the chain sees it: its raw stored state, not the decoded one."""

    position: int
    originator_id: UUID
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
        previous = link(previous, row.position, row.originator_id, row.version, row.topic,
                        row.state)
        yield row.position, previous


def first_break(rows: Iterable[ChainRow], links: Mapping[int, bytes]) -> ChainBreak | None:
    """Walk `rows` in log order against the stored `links` of positions 1…N; None when intact.

    Rows after the last link are not judged by the chain (they are not linked yet), but their
    versions are.
    """
    linked = sorted(links)
    last_linked = linked[-1] if linked else 0
    versions: dict[UUID, int] = {}
    expected = 1
    iterator = iter(rows)
    for row in iterator:
        if row.position > expected <= last_linked:
            return ChainBreak(expected, BreakKind.DELETED, "a linked position has no row")
        if row.position <= last_linked:
            if row.position not in links:
                return ChainBreak(row.position, BreakKind.INSERTED, "a row with no link")
            if not _belongs_at(row, row.position, links):
                return _classify(row, next(iterator, None), links, last_linked)
            expected = row.position + 1
        wanted = versions.get(row.originator_id, 0) + 1
        if row.version != wanted:
            return ChainBreak(row.position, BreakKind.VERSIONS,
                              f"aggregate {row.originator_id} has version {row.version} "
                              f"where {wanted} was due")
        versions[row.originator_id] = row.version
    if expected <= last_linked:
        return ChainBreak(expected, BreakKind.DELETED, "a linked position has no row")
    return None


def _belongs_at(row: ChainRow, position: int, links: Mapping[int, bytes]) -> bool:
    stored = links.get(position)
    previous = links.get(position - 1, GENESIS if position == 1 else None)
    if stored is None or previous is None:
        return False
    return link(previous, position, row.originator_id, row.version, row.topic,
                row.state) == stored


def _classify(row: ChainRow, following: ChainRow | None, links: Mapping[int, bytes],
              last_linked: int) -> ChainBreak:
    """Name the break at `row.position` by finding where its content and its successor's belong."""
    here = row.position
    home = next((p for p in range(here + 1, last_linked + 1) if _belongs_at(row, p, links)), None)
    if home is None:
        if following is not None and _belongs_at(following, here, links):
            return ChainBreak(here, BreakKind.INSERTED, "a row that was never linked pushed "
                                                        "the rest down")
        return ChainBreak(here, BreakKind.EDITED, "the row's content does not match its link")
    closed_up = home == here + 1 and (
        following is None or _belongs_at(following, here + 2, links))
    if closed_up:
        return ChainBreak(here, BreakKind.DELETED, "the row was removed and the rest moved up")
    return ChainBreak(here, BreakKind.REORDERED, f"the row linked at position {home} is here")
