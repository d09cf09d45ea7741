"""Who acts: every command carries an actor, and every event it writes records it.

An actor is a kind (operator, expert, applicant, portal, auditor, or the engine itself), a
stable id, and the scope it acts under. Operators are federal (every contest, or the contests
named) or regional (the stages of one region); experts and portals act in the contests named;
an applicant is an organisation, known by its INN.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field, model_validator

from domain.regions import RegionCode
from domain.value import Value


class ActorKind(StrEnum):
    OPERATOR = "operator"
    EXPERT = "expert"
    APPLICANT = "applicant"
    PORTAL = "portal"
    AUDITOR = "auditor"
    SYSTEM = "system"


class Role(StrEnum):
    """What a credential is issued for: an actor kind, with operators split by level."""

    FEDERAL_OPERATOR = "federal-operator"
    REGIONAL_OPERATOR = "regional-operator"
    EXPERT = "expert"
    APPLICANT = "applicant"
    PORTAL = "portal"
    AUDITOR = "auditor"


class Scope(Value):
    contests: tuple[str, ...] = Field(
        default=(), description="The contests (slugs) the actor acts in; empty: all its role allows"
    )
    region: RegionCode | None = Field(default=None, description="A regional operator's region")
    inn: str | None = Field(default=None, pattern=r"^(\d{10}|\d{12})$",
                            description="An applicant organisation's INN")

    def covers(self, slug: str) -> bool:
        return not self.contests or slug in self.contests

    def describe(self) -> str:
        parts = []
        if self.region:
            parts.append(f"region {self.region}")
        if self.inn:
            parts.append(f"INN {self.inn}")
        parts.append(", ".join(self.contests) if self.contests else "every contest")
        return "; ".join(parts)


class Actor(Value):
    kind: ActorKind
    id: str = Field(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")
    scope: Scope = Scope()
    credential: str | None = Field(
        default=None, description="The token id or identity provider the actor was known by"
    )

    @model_validator(mode="after")
    def _scope_fits_kind(self) -> Actor:
        if self.scope.region is not None and self.kind != ActorKind.OPERATOR:
            raise ValueError("only an operator's scope names a region")
        if (self.kind == ActorKind.APPLICANT) != (self.scope.inn is not None):
            raise ValueError("an applicant is known by its INN, and only an applicant")
        if self.kind in (ActorKind.EXPERT, ActorKind.PORTAL) and not self.scope.contests:
            raise ValueError(f"a {self.kind}'s scope must name its contests")
        return self

    @property
    def role(self) -> Role | None:
        if self.kind == ActorKind.OPERATOR:
            return Role.REGIONAL_OPERATOR if self.scope.region else Role.FEDERAL_OPERATOR
        if self.kind == ActorKind.SYSTEM:
            return None
        return Role(self.kind.value)

    def describe(self) -> str:
        """One phrase for refusals and the record: `regional operator zab-op (region 75)`."""
        if self.role is None:
            return f"the engine ({self.id})"
        title = self.role.value.replace("-", " ")
        if self.scope.region:
            return f"{title} {self.id} (region {self.scope.region})"
        if self.scope.inn:
            return f"{title} {self.id} (INN {self.scope.inn})"
        return f"{title} {self.id}"


def actor_for(role: Role, id: str, scope: Scope | None = None, credential: str | None = None) -> Actor:
    scope = scope or Scope()
    kind = ActorKind.OPERATOR if role in (Role.FEDERAL_OPERATOR, Role.REGIONAL_OPERATOR) \
        else ActorKind(role.value)
    if (role == Role.REGIONAL_OPERATOR) != (scope.region is not None):
        raise ValueError("a regional operator, and only one, is scoped to a region")
    return Actor(kind=kind, id=id, scope=scope, credential=credential)


SYSTEM = Actor(kind=ActorKind.SYSTEM, id="konkurs")
"""The engine itself: a deadline firing, a phase's conclusions, a scheduled reminder."""

LOCAL_OPERATOR = Actor(kind=ActorKind.OPERATOR, id="local-operator", credential="embedded")
"""The embedded default's operator: who acts when no credential is given outside production."""


class SignedActor(Value):
    """An actor as an entry point vouches for it to the worker, across Temporal: the actor, the
    one command it is for, until when, and an HMAC of the three under the deployment's key.

    Whoever can reach Temporal but not the key cannot send a command as anyone."""

    actor: Actor
    purpose: str = Field(description="The command it is for: update, contest and a digest of its body")
    expires_at: datetime
    signature: str = Field(repr=False)
