"""Who is looking at a page: the visitor a signed session cookie names, checked again on every
request, and the CSRF token every form carries.

The cookie is signed, so nobody can forge one; what it holds that would outlive it (a Konkurs
token, a citizen's voter id) is sealed with Fernet as well, so a copied cookie shows neither.
A token's sign-in is authenticated afresh on each request: a revocation ends its sessions at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from starlette.requests import Request

from domain.actors import Actor, Role
from domain.errors import Forbidden, KonkursError, Unauthenticated
from domain.regions import REGION_CODES
from services.credentials import Credentials

SESSION_COOKIE = "konkurs_session"
SESSION_HOURS = 8
CSRF_FIELD = "csrf"
VISITOR = "konkurs_visitor"  # the request's visitor, once decided


class CsrfRefused(Forbidden):
    """A form that did not come from a page this session was shown."""


@dataclass(frozen=True)
class Visitor:
    """A signed-in person: an actor with a Konkurs role, or a citizen known to the identity
    provider by `voter` (never stored; ballots keep only its HMAC) and voting from `region`."""

    name: str
    actor: Actor | None = None
    voter: str | None = None
    region: str | None = None
    via: str = "token"

    @property
    def is_citizen(self) -> bool:
        return self.voter is not None

    def describe(self) -> str:
        """Who the header says is signed in, in Russian: «региональный оператор zab-op (регион 75)»."""
        if self.actor is None:
            return f"гражданин {self.name}"
        return in_russian(self.actor)


ROLE_NAMES = {Role.FEDERAL_OPERATOR: "федеральный оператор", Role.REGIONAL_OPERATOR: "региональный оператор",
              Role.EXPERT: "эксперт", Role.APPLICANT: "заявитель", Role.PORTAL: "портал",
              Role.AUDITOR: "аудитор"}


def in_russian(actor: Actor) -> str:
    title = ROLE_NAMES.get(actor.role, "движок") if actor.role is not None else "движок"
    if actor.scope.region:
        return f"{title} {actor.id} (регион {actor.scope.region})"
    if actor.scope.inn:
        return f"{title} {actor.id} (ИНН {actor.scope.inn})"
    return f"{title} {actor.id}"


class Sessions:
    """Seals and opens what a session keeps; `key` is the deployment's session key."""

    def __init__(self, key: bytes, credentials: Credentials) -> None:
        self.key = key
        self.fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"pages-seal\x00" + key).digest()))
        self.credentials = credentials

    def sign_in_with_token(self, request: Request, token: str) -> Visitor:
        actor = self.credentials.authenticate(token)
        self._start(request, {"via": "token", "sealed": self._seal(token.strip())})
        return Visitor(name=actor.id, actor=actor)

    def sign_in_with_claims(self, request: Request, actor: Actor | None, subject: str,
                            region: str | None, expires: float) -> Visitor:
        """An identity provider vouched for `subject` until `expires`: as `actor`, or as a citizen."""
        if actor is not None:
            self._start(request, {"via": "oidc", "actor": actor.model_dump(mode="json"), "until": expires})
            return Visitor(name=actor.id, actor=actor, via="oidc")
        known_region = region if region in REGION_CODES else None
        self._start(request, {"via": "citizen", "sealed": self._seal(subject), "region": known_region,
                              "until": expires})
        return Visitor(name=_masked(subject), voter=subject, region=known_region, via="citizen")

    def sign_out(self, request: Request) -> None:
        request.session.clear()
        _forget_visitor(request)

    def visitor(self, request: Request) -> Visitor | None:
        """Who the session names now; None (and a cleared session) for nobody, or for a session
        whose token was since revoked or whose provider's word has run out. Decided once per
        request: a page asks for its rights and again for its header."""
        if not hasattr(request.state, VISITOR):
            setattr(request.state, VISITOR, self._visitor(request))
        found: Visitor | None = getattr(request.state, VISITOR)
        return found

    def _visitor(self, request: Request) -> Visitor | None:
        session = request.session
        via = session.get("via")
        try:
            if via == "token":
                actor = self.credentials.authenticate(self._open(session["sealed"]))
                return Visitor(name=actor.id, actor=actor)
            if via in ("oidc", "citizen") and float(session.get("until", 0)) > time.time():
                if via == "oidc":
                    actor = Actor.model_validate(session["actor"])
                    return Visitor(name=actor.id, actor=actor, via="oidc")
                subject = self._open(session["sealed"])
                return Visitor(name=_masked(subject), voter=subject, region=session.get("region"),
                               via="citizen")
        except (KonkursError, KeyError, ValueError, TypeError):
            pass
        if via is not None:
            # Keep the CSRF token: the sign-in form on the page that says so must still post.
            csrf = session.get(CSRF_FIELD)
            session.clear()
            if csrf:
                session[CSRF_FIELD] = csrf
        return None

    def csrf_token(self, request: Request) -> str:
        token = request.session.get(CSRF_FIELD)
        if not isinstance(token, str):
            token = request.session[CSRF_FIELD] = secrets.token_urlsafe(32)
        return token

    def check_csrf(self, request: Request, presented: object) -> None:
        expected = request.session.get(CSRF_FIELD)
        if not (isinstance(expected, str) and isinstance(presented, str)
                and hmac.compare_digest(expected, presented)):
            raise CsrfRefused("the form has expired or did not come from this site; open the page "
                              "again and repeat")

    def _start(self, request: Request, content: dict[str, Any]) -> None:
        # A new session on every sign-in, so a session id planted before it is worth nothing.
        request.session.clear()
        request.session.update(content)
        _forget_visitor(request)
        request.session[CSRF_FIELD] = secrets.token_urlsafe(32)

    def _seal(self, text: str) -> str:
        return self.fernet.encrypt(text.encode()).decode()

    def _open(self, sealed: str) -> str:
        try:
            return self.fernet.decrypt(sealed.encode(), ttl=SESSION_HOURS * 3600).decode()
        except InvalidToken:
            raise Unauthenticated("the session has expired; sign in again") from None


def _forget_visitor(request: Request) -> None:
    if hasattr(request.state, VISITOR):
        delattr(request.state, VISITOR)


def _masked(subject: str) -> str:
    """How a citizen is greeted: enough of their id to recognise, not enough to copy."""
    return subject if len(subject) <= 4 else "…" + subject[-4:]
