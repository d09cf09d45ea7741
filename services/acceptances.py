"""Signing what an intake command accepted (see `domain.rules.acceptance`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from eventsourcing.persistence import StoredEvent

from domain.actors import Actor
from domain.aggregates import Acceptance, IntakeKind
from domain.rules.acceptance import acceptance_digest, acceptance_message
from services.signing import SigningKey


class Attestation(NamedTuple):
    digest: str
    signature: str


class Acceptances:
    def __init__(self, signing: SigningKey) -> None:
        self.signing = signing

    def attest(self, contest: str, kind: IntakeKind, batch: str, events: Sequence[StoredEvent],
               actor: Actor) -> Attestation:
        """The digest of `events` (in the order they are written) and the signature over it."""
        digest = acceptance_digest((e.originator_id, e.originator_version, e.state) for e in events)
        message = acceptance_message(contest, kind, batch, len(events), digest,
                                     actor.model_dump(mode="json"))
        return Attestation(digest, self.signing.sign(message))

    def record(self, contest: str, kind: IntakeKind, events: Sequence[StoredEvent],
               actor: Actor) -> Acceptance:
        """The acceptance to write right after `events`, in the same transaction."""
        digest, signature = self.attest(contest, kind, "", events, actor)
        return Acceptance(contest=contest, kind=kind, count=len(events), digest=digest,
                          attestation=signature)
