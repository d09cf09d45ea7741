"""OpenID Connect: actors vouched for by an outside identity provider (ESIA, a regional SSO).

The provider signs a JWT; Konkurs checks the signature against the provider's published keys
(JWKS), its issuer, audience and expiry, and reads the actor from its claims: the subject is the
actor's id, a role claim maps to a Konkurs role, and region, INN and contests claims make its scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from domain.actors import Actor, Role, Scope, actor_for
from domain.errors import KonkursError, Unauthenticated
from services.credentials import OIDC, describe_error

ENV = "KONKURS_OIDC_"
# How far our clock and the provider's may disagree on a token's expiry.
LEEWAY_SECONDS = 30


def parse_roles(text: str) -> dict[str, Role]:
    """`ministry-admin=federal-operator,expert=expert` as provider value → Konkurs role."""
    roles: dict[str, Role] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        value, _, role = (side.strip() for side in pair.partition("="))
        if not value or role not in set(Role):
            raise KonkursError(f"{ENV}ROLES: {pair!r} is not `provider-value=konkurs-role`; the "
                               f"roles are {', '.join(Role)}")
        roles[value] = Role(role)
    return roles


@dataclass(frozen=True)
class OidcSettings:
    issuer: str
    audience: str
    jwks_url: str
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    subject_claim: str = "sub"
    role_claim: str = "konkurs_role"
    region_claim: str = "konkurs_region"
    inn_claim: str = "konkurs_inn"
    contests_claim: str = "konkurs_contests"
    roles: dict[str, Role] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> OidcSettings | None:
        """The provider KONKURS_OIDC_* names; None when KONKURS_OIDC_ISSUER is unset."""
        def setting(name: str, default: str = "") -> str:
            return env.get(ENV + name, "").strip() or default

        issuer = setting("ISSUER")
        if not issuer:
            return None
        missing = [ENV + name for name in ("AUDIENCE", "JWKS_URL") if not setting(name)]
        if missing:
            raise KonkursError(f"{ENV}ISSUER is set, so {' and '.join(missing)} must be too")
        algorithms = tuple(a.strip() for a in setting("ALGORITHMS", "RS256,ES256").split(",") if a.strip())
        return cls(
            issuer=issuer, audience=setting("AUDIENCE"), jwks_url=setting("JWKS_URL"),
            algorithms=algorithms, roles=parse_roles(setting("ROLES")),
            subject_claim=setting("SUBJECT_CLAIM", "sub"),
            role_claim=setting("ROLE_CLAIM", "konkurs_role"),
            region_claim=setting("REGION_CLAIM", "konkurs_region"),
            inn_claim=setting("INN_CLAIM", "konkurs_inn"),
            contests_claim=setting("CONTESTS_CLAIM", "konkurs_contests"))

    def role_of(self, value: str) -> Role | None:
        """A provider's role value as a Konkurs role: mapped, or already a Konkurs role's name."""
        return self.roles.get(value) or (Role(value) if value in set(Role) else None)


class OidcProvider:
    """The identity provider `Credentials` hands JWTs to."""

    def __init__(self, settings: OidcSettings, timeout: float = 5) -> None:
        self.settings = settings
        self.keys = jwt.PyJWKClient(settings.jwks_url, cache_keys=True, timeout=timeout)

    def actor_for(self, token: str) -> Actor:
        return self.actor_from_claims(self._claims(token))

    def carries_role(self, claims: dict[str, Any]) -> bool:
        """Whether verified `claims` name a role at all: a citizen's carry none."""
        return bool(claims.get(self.settings.role_claim))

    def _claims(self, token: str) -> dict[str, Any]:
        settings = self.settings
        try:
            key = self.keys.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError:
            raise Unauthenticated(f"cannot reach the identity provider's keys at {settings.jwks_url}; "
                                  "try again, or check KONKURS_OIDC_JWKS_URL") from None
        except (jwt.PyJWKSetError, ValueError):
            raise Unauthenticated(f"the identity provider's keys at {settings.jwks_url} are not a "
                                  "JWK set; check KONKURS_OIDC_JWKS_URL") from None
        except jwt.PyJWKClientError:
            raise Unauthenticated(f"the token is signed by a key that {settings.issuer} does not "
                                  f"publish at {settings.jwks_url}") from None
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(f"malformed OpenID Connect token: {error}") from None
        required = sorted({"exp", "iss", "aud", "sub", settings.subject_claim})
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=list(settings.algorithms), audience=settings.audience,
                issuer=settings.issuer, leeway=LEEWAY_SECONDS, options={"require": required})
        except jwt.ExpiredSignatureError:
            raise Unauthenticated(f"the {settings.issuer} token has expired; sign in again") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"the token is not meant for Konkurs: its audience is not "
                                  f"{settings.audience!r}") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated(f"the token was not issued by {settings.issuer}") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated(f"the token's signature does not verify against {settings.issuer}'s "
                                  "keys: it is forged or altered") from None
        except jwt.InvalidTokenError as error:
            raise Unauthenticated(f"the {settings.issuer} token is refused: {error}") from None
        return claims

    def actor_from_claims(self, claims: dict[str, Any]) -> Actor:
        """The actor verified claims describe; Unauthenticated, in one line, if none."""
        settings = self.settings
        subject = str(claims[settings.subject_claim])
        role = self._role(claims.get(settings.role_claim), subject)
        contests = claims.get(settings.contests_claim) or ()
        try:
            scope = Scope(contests=tuple(contests.split() if isinstance(contests, str) else contests),
                          region=claims.get(settings.region_claim), inn=claims.get(settings.inn_claim))
            return actor_for(role, subject, scope, credential=f"{OIDC}{settings.issuer}")
        except (ValueError, TypeError) as error:
            shown = describe_error(error) if isinstance(error, ValueError) else str(error)
            raise Unauthenticated(f"the {settings.issuer} token for {subject} does not describe a "
                                  f"Konkurs {role}: {shown}") from None

    def _role(self, value: object, subject: str) -> Role:
        values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        mapped = (self.settings.role_of(v) for v in values if isinstance(v, str))
        roles = {role for role in mapped if role is not None}
        claim = self.settings.role_claim
        if not roles:
            raise Unauthenticated(f"the {self.settings.issuer} token for {subject} carries no role "
                                  f"Konkurs knows ({claim}: {value!r}); map it in KONKURS_OIDC_ROLES")
        if len(roles) > 1:
            raise Unauthenticated(f"the {self.settings.issuer} token for {subject} maps to several "
                                  f"Konkurs roles ({', '.join(sorted(roles))}); it must carry one")
        return roles.pop()
