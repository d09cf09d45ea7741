"""OpenID Connect against a real JWKS endpoint on loopback: tokens signed with PyJWT, verified
by `OidcProvider` as a provider such as ESIA or a regional SSO would have Konkurs verify them."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from domain.actors import ActorKind, Role, Scope
from domain.errors import KonkursError, Unauthenticated
from services.credentials import Credentials
from services.identity import OidcProvider, OidcSettings
from store.application import StoreApplication

ISSUER = "https://sso.example.ru/realms/konkurs"
AUDIENCE = "konkurs"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
FOREIGN_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
MISSING = object()
ROLES = "ministry-admin=federal-operator,region-admin=regional-operator,jury=expert"


def jwks() -> bytes:
    rsa_jwk = {**RSAAlgorithm.to_jwk(RSA_KEY.public_key(), as_dict=True), "kid": "rsa-1", "use": "sig",
               "alg": "RS256"}
    ec_jwk = {**ECAlgorithm.to_jwk(EC_KEY.public_key(), as_dict=True), "kid": "ec-1", "use": "sig",
              "alg": "ES256"}
    return json.dumps({"keys": [rsa_jwk, ec_jwk]}).encode()


class JwksHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = jwks()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), JwksHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/realms/konkurs/certs"
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings(jwks_url: str) -> OidcSettings:
    found = OidcSettings.from_env({"KONKURS_OIDC_ISSUER": ISSUER, "KONKURS_OIDC_AUDIENCE": AUDIENCE,
                                   "KONKURS_OIDC_JWKS_URL": jwks_url, "KONKURS_OIDC_ROLES": ROLES})
    assert found is not None
    return found


@pytest.fixture
def provider(settings: OidcSettings) -> OidcProvider:
    return OidcProvider(settings)


def token(key: Any = RSA_KEY, kid: str = "rsa-1", algorithm: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "petrova", "iat": now, "exp": now + 600,
               "konkurs_role": "region-admin", "konkurs_region": "75"} | claims
    payload = {name: value for name, value in payload.items() if value is not MISSING}
    return jwt.encode(payload, key, algorithm=algorithm, headers={"kid": kid})


def test_a_valid_token_maps_to_the_actor_its_claims_name(provider: OidcProvider) -> None:
    regional = provider.actor_for(token())
    assert (regional.kind, regional.id, regional.role, regional.scope) == (
        ActorKind.OPERATOR, "petrova", Role.REGIONAL_OPERATOR, Scope(region="75"))
    assert regional.credential == f"oidc:{ISSUER}"
    expert = provider.actor_for(token(EC_KEY, "ec-1", "ES256", konkurs_role=["offline_access", "jury"],
                                      konkurs_region=None, konkurs_contests="smart-dialog-2023 zdorovye"))
    assert (expert.kind, expert.scope.contests) == (ActorKind.EXPERT, ("smart-dialog-2023", "zdorovye"))
    auditor = provider.actor_for(token(konkurs_role="auditor", konkurs_region=None,
                                       konkurs_contests=["smart-dialog-2023"]))
    assert auditor.role == Role.AUDITOR and auditor.scope.contests == ("smart-dialog-2023",)


def test_credentials_hand_a_jwt_to_the_provider(provider: OidcProvider, store_env: dict[str, str]) -> None:
    store = StoreApplication(env=store_env)
    try:
        credentials = Credentials(store, provider)
        actor = credentials.authenticate(token(konkurs_role="ministry-admin", konkurs_region=None))
        assert actor.role == Role.FEDERAL_OPERATOR
        credentials.check_current(actor)
    finally:
        store.close()


@pytest.mark.parametrize(("signed", "why"), [
    ({"exp": int(time.time()) - 3600}, "has expired"),
    ({"key": FOREIGN_KEY}, "signature does not verify"),
    ({"key": FOREIGN_KEY, "kid": "rsa-2"}, "signed by a key that .* does not publish"),
    ({"aud": "another-service"}, "audience is not 'konkurs'"),
    ({"iss": "https://evil.example/"}, "not issued by"),
    ({"konkurs_role": "ministry-janitor"}, "carries no role Konkurs knows"),
    ({"konkurs_role": ["ministry-admin", "jury"]}, "maps to several Konkurs roles"),
    ({"konkurs_role": "expert", "konkurs_region": None}, "must name its contests"),
    ({"konkurs_role": "region-admin", "konkurs_region": None}, "is scoped to a region"),
    ({"sub": MISSING}, 'missing the "sub" claim'),
    ({"exp": MISSING}, 'missing the "exp" claim'),
])
def test_a_token_that_does_not_hold_is_refused_in_one_line(
    provider: OidcProvider, signed: dict[str, Any], why: str
) -> None:
    claims = {name: value for name, value in signed.items() if name not in ("key", "kid")}
    bearer = token(signed.get("key", RSA_KEY), signed.get("kid", "rsa-1"), **claims)
    with pytest.raises(Unauthenticated, match=why) as refused:
        provider.actor_for(bearer)
    message = str(refused.value)
    assert "\n" not in message and bearer not in message


def test_an_unreachable_jwks_is_refused_in_one_line(settings: OidcSettings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}/certs"
    unreachable = OidcProvider(OidcSettings(ISSUER, AUDIENCE, url, roles=settings.roles), timeout=2)
    with pytest.raises(Unauthenticated, match="cannot reach the identity provider's keys"):
        unreachable.actor_for(token())


def test_settings_come_from_the_environment() -> None:
    assert OidcSettings.from_env({}) is None
    with pytest.raises(KonkursError, match="KONKURS_OIDC_AUDIENCE and KONKURS_OIDC_JWKS_URL must be too"):
        OidcSettings.from_env({"KONKURS_OIDC_ISSUER": ISSUER})
    with pytest.raises(KonkursError, match="'jury=judge' is not"):
        OidcSettings.from_env({"KONKURS_OIDC_ISSUER": ISSUER, "KONKURS_OIDC_AUDIENCE": AUDIENCE,
                               "KONKURS_OIDC_JWKS_URL": "https://sso/certs",
                               "KONKURS_OIDC_ROLES": "jury=judge"})
    custom = OidcSettings.from_env({
        "KONKURS_OIDC_ISSUER": ISSUER, "KONKURS_OIDC_AUDIENCE": AUDIENCE,
        "KONKURS_OIDC_JWKS_URL": "https://sso/certs", "KONKURS_OIDC_ROLE_CLAIM": "groups",
        "KONKURS_OIDC_ALGORITHMS": "RS256", "KONKURS_OIDC_ROLES": ROLES})
    assert custom is not None and custom.role_claim == "groups" and custom.algorithms == ("RS256",)
    assert custom.role_of("region-admin") == Role.REGIONAL_OPERATOR
    assert custom.role_of("portal") == Role.PORTAL and custom.role_of("admin") is None
