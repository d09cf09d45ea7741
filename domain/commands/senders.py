"""The worker's check of who sent a command over Temporal."""

from __future__ import annotations

from domain.actors import Actor, SignedActor
from domain.commands.order import Order


class VerifySender(Order):
    sender: SignedActor | None
    purpose: str


class Verified(Order):
    actor: Actor
