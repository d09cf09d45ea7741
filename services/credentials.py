"""Bearer credentials: Konkurs's own tokens, and OpenID Connect tokens handed to a provider.

A Konkurs token reads `konkurs_<token id>_<secret>`. The log keeps the SHA-256 of the secret,
never the secret, and every check reads the token's aggregate afresh, so a revocation holds
from the next command on, in every process.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from typing import Protocol

from eventsourcing.persistence import IntegrityError
from pydantic import ValidationError

from domain.access import require_federal_operator
from domain.actors import LOCAL_OPERATOR, Actor, ActorKind, actor_for
from domain.aggregates.credential import Credential, credential_id
from domain.commands.credentials import IssuedToken, IssueToken, RevokeToken, TokenInfo
from domain.commands.order import CommandResult
from domain.errors import InvalidCommand, KonkursError, Unauthenticated
from store.application import StoreApplication
from store.log import topic_of

PREFIX = "konkurs_"
TOKEN = re.compile(r"konkurs_([0-9a-f]{12})_([A-Za-z0-9_-]{20,})")
TOKEN_ID = re.compile(r"[0-9a-f]{12}")
JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
OIDC = "oidc:"
# Compared against when a token id is unknown, so a miss takes as long as a wrong secret.
_NO_HASH = hashlib.sha256(b"no such token").hexdigest()


class IdentityProvider(Protocol):
    """Turns a provider's token (an OpenID Connect JWT) into an actor, or raises Unauthenticated."""

    def actor_for(self, token: str) -> Actor: ...


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def describe_error(error: ValueError) -> str:
    """A validation error as one line: the first problem, without pydantic's decoration."""
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        return f"{field}: {message}" if field else message
    return str(error)


class Credentials:
    """Issues, revokes and lists tokens, and tells who a bearer credential makes its bearer."""

    def __init__(self, store: StoreApplication, identity: IdentityProvider | None = None) -> None:
        self.store = store
        self.identity = identity
        self._known: dict[str, Credential] = {}

    def issue(self, order: IssueToken) -> IssuedToken:
        require_federal_operator(order.actor, "issue tokens")
        if order.expires_at is not None and order.expires_at <= datetime.now(UTC):
            raise InvalidCommand(f"the token would expire at {order.expires_at:%Y-%m-%d %H:%M %Z}, "
                                 "which has passed; give a later expiry")
        token_id = self._new_token_id()
        try:
            acts_as = actor_for(order.role, order.id, order.scope, credential=token_id)
        except ValueError as error:
            raise InvalidCommand(f"cannot issue a token acting as {order.role} {order.id!r}: "
                                 f"{describe_error(error)}") from None
        secret = secrets.token_urlsafe(32)
        credential = Credential(token_id=token_id, acts_as=acts_as, secret_hash=secret_hash(secret),
                                label=order.label, expires_at=order.expires_at)
        self.store.save(credential, actor=order.actor)
        return IssuedToken(token=f"{PREFIX}{token_id}_{secret}", token_id=token_id, acts_as=acts_as,
                           expires_at=order.expires_at)

    def revoke(self, order: RevokeToken) -> CommandResult:
        require_federal_operator(order.actor, "revoke tokens")
        credential = self._credential(order.token_id)
        if credential is None:
            raise InvalidCommand(f"no token {order.token_id!r} was issued; `konkurs tokens list` shows them")
        credential.revoke(order.reason)
        try:
            self.store.save(credential, actor=order.actor)
        except IntegrityError:
            raise KonkursError(f"token {order.token_id} was revoked concurrently; "
                               "`konkurs tokens list` shows by whom") from None
        return CommandResult(applied=True)

    def tokens(self, actor: Actor) -> list[TokenInfo]:
        """Every token issued, oldest first: federal operators and auditors may list them."""
        if actor.kind != ActorKind.AUDITOR:
            require_federal_operator(actor, "list tokens")
        issued: dict[object, TokenInfo] = {}
        topics = [topic_of(Credential.Issued), topic_of(Credential.Revoked)]
        for logged in self.store.read_log(topics):
            state = logged.state
            if logged.topic == topics[0]:
                issued[logged.originator_id] = TokenInfo(
                    token_id=state["token_id"], acts_as=state["acts_as"], label=state["label"],
                    issued_by=state.get("actor"), issued_at=state["timestamp"],
                    expires_at=state["expires_at"])
            elif logged.originator_id in issued:
                issued[logged.originator_id] = issued[logged.originator_id].model_copy(update={
                    "revoked_at": datetime.fromisoformat(state["timestamp"]), "reason": state["reason"],
                    "revoked_by": Actor.model_validate(state["actor"]) if state.get("actor") else None})
        return list(issued.values())

    def authenticate(self, bearer: str, now: datetime | None = None) -> Actor:
        """Who `bearer` makes its bearer; Unauthenticated, naming why in one line, if nobody."""
        bearer = bearer.strip()
        if bearer.startswith(PREFIX):
            return self._token_actor(bearer, now or datetime.now(UTC))
        if JWT.fullmatch(bearer):
            if self.identity is None:
                raise Unauthenticated(
                    "the credential is an OpenID Connect token, but OIDC is not configured: set "
                    "KONKURS_OIDC_ISSUER, KONKURS_OIDC_AUDIENCE and KONKURS_OIDC_JWKS_URL")
            return self.identity.actor_for(bearer)
        raise Unauthenticated("the credential is neither a Konkurs token (konkurs_…) nor an OpenID "
                              "Connect token; check KONKURS_TOKEN or the profile")

    def check_current(self, actor: Actor, now: datetime | None = None) -> None:
        """Refuse an actor whose Konkurs token has since been revoked, has expired or was never
        issued: an actor that arrives over Temporal was authenticated earlier, elsewhere.

        The engine and actors with no credential, the embedded local operator and actors an
        identity provider vouched for (checked when their JWT was) pass."""
        credential = actor.credential
        if credential is None or credential.startswith(OIDC):
            return
        if credential == LOCAL_OPERATOR.credential and actor == LOCAL_OPERATOR:
            return
        found = self._credential(credential)
        if found is None or found.acts_as != actor:
            raise Unauthenticated(f"{actor.describe()} acts with token {credential}, "
                                  "which was not issued to them")
        self._check_usable(found, now or datetime.now(UTC))

    def _token_actor(self, bearer: str, now: datetime) -> Actor:
        match = TOKEN.fullmatch(bearer)
        if match is None:
            raise Unauthenticated("malformed Konkurs token: expected konkurs_<12 hex digits>_<secret>, "
                                  "as `konkurs tokens issue` printed it")
        token_id, secret = match.groups()
        credential = self._credential(token_id)
        expected = credential.secret_hash if credential is not None else _NO_HASH
        if not hmac.compare_digest(expected, secret_hash(secret)) or credential is None:
            raise Unauthenticated(f"unknown token {token_id}: it was not issued here, or its secret is wrong")
        self._check_usable(credential, now)
        acts_as: Actor = credential.acts_as
        return acts_as

    @staticmethod
    def _check_usable(credential: Credential, now: datetime) -> None:
        if credential.revoked:
            raise Unauthenticated(f"token {credential.token_id} was revoked: {credential.reason}")
        if credential.expired(now):
            raise Unauthenticated(f"token {credential.token_id} expired at "
                                  f"{credential.expires_at:%Y-%m-%d %H:%M %Z}")

    def _credential(self, token_id: str) -> Credential | None:
        """The credential as the log has it now. Every request of the API asks, so a credential
        seen before is kept and only its latest version is looked up: a revocation (a new
        version) is seen at once, without rebuilding the credential each time."""
        if not TOKEN_ID.fullmatch(token_id):
            return None
        key = credential_id(token_id)
        known = self._known.get(token_id)
        if known is not None:
            latest = self.store.recorder.select_events(key, desc=True, limit=1)
            if latest and latest[0].originator_version == known.version:
                return known
        found: Credential | None = self.store.existing(key)
        if found is not None:
            self._known[token_id] = found
        return found

    def _new_token_id(self) -> str:
        while True:  # 48 random bits: a repeat is all but impossible, and refused if it happens
            token_id = secrets.token_hex(6)
            if self._credential(token_id) is None:
                return token_id
