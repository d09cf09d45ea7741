"""Orders that issue, revoke and list the bearer tokens actors use to reach Konkurs."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import Field, field_validator

from domain.actors import Actor, Role, Scope
from domain.commands.order import Command
from domain.model import Value


class IssueToken(Command):
    """`actor` issues a token that acts as `role` `id` within `scope`."""

    role: Role
    id: str = Field(description="Who the token acts as: an expert's roster id, a portal's name, …")
    scope: Scope = Scope()
    label: str = Field(default="", max_length=200, description="What the token is for, for the listing")
    expires_at: datetime | None = Field(default=None, description="When it stops working; never if None")

    @field_validator("expires_at")
    @classmethod
    def _aware(cls, moment: datetime | None) -> datetime | None:
        """A moment without an offset is read as UTC: a token expires at one instant everywhere."""
        return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


class IssuedToken(Value):
    token: str = Field(repr=False, description="The bearer token; shown once and never stored")
    token_id: str
    acts_as: Actor
    expires_at: datetime | None


class RevokeToken(Command):
    token_id: str
    reason: str = Field(min_length=1, max_length=500)


class TokenInfo(Value):
    """A token as the listing shows it: never its secret, nor the hash of it."""

    token_id: str
    acts_as: Actor
    label: str
    issued_by: Actor | None
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None = None
    revoked_by: Actor | None = None
    reason: str | None = None
