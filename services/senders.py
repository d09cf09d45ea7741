"""Vouching for actors across Temporal.

Temporal carries commands from the CLI and the API to the worker, and anyone who can reach its
frontend could send one naming any actor. So an entry point that has authenticated an actor
signs it, for one command, with the deployment's key; the worker checks the signature, its
expiry and that the actor's credential still holds before anything is written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from domain.actors import Actor, SignedActor
from domain.commands.senders import Verified, VerifySender
from domain.errors import Unauthenticated
from services.credentials import Credentials

VALID_FOR = timedelta(days=1)


class Senders:
    def __init__(self, key: Callable[[], bytes], credentials: Credentials) -> None:
        """`key` is asked for when first needed: a process that sends nothing needs none."""
        self._key = key
        self.credentials = credentials

    def sign(self, actor: Actor, purpose: str, now: datetime | None = None) -> SignedActor:
        expires_at = (now or datetime.now(UTC)) + VALID_FOR
        return SignedActor(actor=actor, purpose=purpose, expires_at=expires_at,
                           signature=self._signature(actor, purpose, expires_at))

    def verify(self, check: VerifySender, now: datetime | None = None) -> Verified:
        """The sender's actor, if this deployment signed it for this very command, the signature
        has not expired, and the actor's credential still holds."""
        sender, purpose = check.sender, check.purpose
        if sender is None:
            raise Unauthenticated(f"refused: {purpose.split(':')[0]} names no sender")
        expected = self._signature(sender.actor, purpose, sender.expires_at)
        if sender.purpose != purpose or not hmac.compare_digest(expected, sender.signature):
            raise Unauthenticated(f"refused: {sender.actor.describe()} was not vouched for by this "
                                  "deployment for this command; sign in again and resend it")
        if sender.expires_at <= (now or datetime.now(UTC)):
            raise Unauthenticated(f"refused: the voucher for {sender.actor.describe()} expired at "
                                  f"{sender.expires_at:%Y-%m-%d %H:%M} UTC; send the command again")
        self.credentials.check_current(sender.actor)
        return Verified(actor=sender.actor)

    def _signature(self, actor: Actor, purpose: str, expires_at: datetime) -> str:
        body = json.dumps({"actor": actor.model_dump(mode="json"), "purpose": purpose,
                           "expires_at": expires_at.isoformat()}, sort_keys=True, ensure_ascii=False)
        return hmac.new(self._key(), body.encode(), hashlib.sha256).hexdigest()
