"""Acceptances: what ties each intake event to the command that accepted it.

Every write of submissions, cards, materials or ballots ends with a record of what it accepted:
how many events, a digest of their ids and versions, and the deployment's signature over that
and the actor. The record follows its events in the same transaction, so an auditor can check
that every intake event in the log is covered by one, and that none was added or removed since.
A row written straight into the database carries no signature the deployment made.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from domain.ids import uuid_bytes


def acceptance_digest(events: Iterable[tuple[UUID | str | bytes, int, bytes]]) -> str:
    """SHA-256 over each accepted event's id (16 bytes), version (8), the length of its stored
    state (8) and the state itself, in log order: an event edited since, even with the chain
    relinked, gives another digest."""
    digest = hashlib.sha256()
    for originator, version, state in events:
        digest.update(uuid_bytes(originator) + version.to_bytes(8, "big") + len(state).to_bytes(8, "big"))
        digest.update(state)
    return digest.hexdigest()


def acceptance_message(contest: str, kind: str, batch: str, count: int, digest: str,
                       actor: dict[str, Any] | None) -> bytes:
    """The bytes the deployment signs for one acceptance."""
    return json.dumps({"contest": contest, "kind": kind, "batch": batch, "count": count,
                       "digest": digest, "actor": actor}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode()
