"""A bearer token Konkurs issued: who it acts as, the SHA-256 of its secret, and its revocation.

The secret itself is shown once, to the issuer, and never recorded: the log holds its hash only.
The events' own `actor` is who issued or revoked the token; `acts_as` is who the token makes its
bearer.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from domain.actors import Actor
from domain.errors import InvalidCommand
from domain.ids import business_id
from domain.model import Aggregate


def credential_id(token_id: str) -> Any:
    return business_id("credential", token_id)


class Credential(Aggregate):
    if TYPE_CHECKING:  # the @event decorators below create these classes
        Issued: ClassVar[type[Aggregate.Event]]
        Revoked: ClassVar[type[Aggregate.Event]]

    @event("Issued")
    def __init__(
        self, token_id: str, acts_as: Actor, secret_hash: str, label: str, expires_at: datetime | None
    ) -> None:
        self.token_id = token_id
        self.acts_as = acts_as
        self.secret_hash = secret_hash
        self.label = label
        self.expires_at = expires_at
        self.revoked = False
        self.reason: str | None = None

    @staticmethod
    def create_id(token_id: str, **_: Any) -> Any:
        return credential_id(token_id)

    @property
    def revoked_at(self) -> datetime | None:
        """Nothing follows a revocation, so the last change is when it happened."""
        return self.modified_on if self.revoked else None

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def revoke(self, reason: str) -> None:
        if self.revoked:
            raise InvalidCommand(f"token {self.token_id} was already revoked: {self.reason}")
        self._revoked(reason=reason)

    @event("Revoked")
    def _revoked(self, reason: str) -> None:
        self.revoked = True
        self.reason = reason
