"""A development OpenID Connect provider, served by the embedded default only, so the pages'
sign-in works offline exactly as it will against ESIA or a regional SSO: the authorization code
flow, an RS256 id_token, published keys. Who you are is chosen on its page; production mode
never serves it.

Codes are themselves short-lived signed tokens, so any of several server processes can redeem
a code another one issued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from domain.actors import Role
from konkurs.pages.rendering import page, sessions_of

PREFIX = "/dev-oidc"
CLIENT_ID = "konkurs-pages"
KEY_FILE = "dev-oidc.pem"
PEOPLE_FILE = "dev-people.json"
CODE_SECONDS = 60
ID_TOKEN_SECONDS = 8 * 3600
CITIZEN = "citizen"
ROLE_CHOICES = [(CITIZEN, "гражданин (голосование)"), (Role.APPLICANT.value, "заявитель"),
                (Role.EXPERT.value, "эксперт"), (Role.REGIONAL_OPERATOR.value, "региональный оператор"),
                (Role.FEDERAL_OPERATOR.value, "федеральный оператор"), (Role.AUDITOR.value, "аудитор")]

router = APIRouter(prefix=PREFIX, include_in_schema=False)


class DevProvider:
    """The provider's key and its client's secret, both kept in the embedded home."""

    def __init__(self, home: Path, session_key: bytes) -> None:
        self.home = home
        self.client_secret = hmac.new(session_key, b"dev-oidc-client", hashlib.sha256).hexdigest()
        self.private_key = _load_or_create_key(home / KEY_FILE)
        public = self.private_key.public_key()
        self.kid = hashlib.sha256(public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).hexdigest()[:16]
        self.jwk = {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public)), "kid": self.kid,
                    "use": "sig", "alg": "RS256"}

    def people(self) -> list[dict[str, Any]]:
        """Ready-made identities to choose from: the demo writes the ones its contest has."""
        path = self.home / PEOPLE_FILE
        if not path.is_file():
            return []
        found = json.loads(path.read_text(encoding="utf-8"))
        return found if isinstance(found, list) else []

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": self.kid})

    def verify(self, token: str, audience: str) -> dict[str, Any]:
        claims: dict[str, Any] = jwt.decode(token, self.private_key.public_key(), algorithms=["RS256"],
                                            audience=audience)
        return claims


def issuer_of(request: Request) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


def provider_of(request: Request) -> DevProvider:
    provider: DevProvider | None = request.app.state.dev_provider
    if provider is None:
        raise HTTPException(404, "the development identity provider is off")
    return provider


@router.get("/.well-known/openid-configuration")
def configuration(request: Request) -> dict[str, Any]:
    provider_of(request)
    issuer = issuer_of(request)
    return {"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": ["openid"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]}


@router.get("/jwks")
def keys(request: Request) -> dict[str, Any]:
    return {"keys": [provider_of(request).jwk]}


@router.get("/authorize")
def choose(request: Request, client_id: str, redirect_uri: str, state: str = "", nonce: str = "") -> Response:
    provider = provider_of(request)
    if client_id != CLIENT_ID:
        raise HTTPException(400, f"unknown client {client_id!r}")
    return page(request, "dev_provider.html", people=provider.people(), roles=ROLE_CHOICES,
                flow={"client_id": client_id, "redirect_uri": redirect_uri, "state": state, "nonce": nonce})


@router.post("/authorize")
def authorize(
    request: Request, csrf: Annotated[str, Form()], client_id: Annotated[str, Form()],
    redirect_uri: Annotated[str, Form()], state: Annotated[str, Form()] = "",
    nonce: Annotated[str, Form()] = "", role: Annotated[str, Form()] = CITIZEN,
    subject: Annotated[str, Form(max_length=200)] = "", region: Annotated[str, Form(max_length=2)] = "",
    inn: Annotated[str, Form(max_length=12)] = "", contests: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    provider = provider_of(request)
    sessions_of(request).check_csrf(request, csrf)
    if client_id != CLIENT_ID or not redirect_uri.startswith(str(request.base_url)):
        raise HTTPException(400, "the client or its return address is not this site's")
    if not subject.strip():
        return page(request, "dev_provider.html", status=422, people=provider.people(), roles=ROLE_CHOICES,
                    flow={"client_id": client_id, "redirect_uri": redirect_uri, "state": state,
                          "nonce": nonce}, errors={"subject": "Укажите идентификатор пользователя."})
    claims: dict[str, Any] = {"sub": subject.strip(), "nonce": nonce, "redirect_uri": redirect_uri}
    if role != CITIZEN:
        claims["konkurs_role"] = role
    for claim, value in (("konkurs_region", region), ("konkurs_inn", inn), ("konkurs_contests", contests)):
        if value.strip():
            claims[claim] = value.strip()
    now = int(time.time())
    code = provider.sign({**claims, "aud": f"{PREFIX}/code", "iat": now, "exp": now + CODE_SECONDS,
                          "jti": uuid.uuid4().hex})
    return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=303)


@router.post("/token")
async def token(request: Request) -> Response:
    provider = provider_of(request)
    form = await request.form()
    client, secret = _client_credentials(request, form)
    if client != CLIENT_ID or not hmac.compare_digest(secret, provider.client_secret):
        return JSONResponse({"error": "invalid_client"}, status_code=401)
    try:
        granted = provider.verify(str(form.get("code", "")), f"{PREFIX}/code")
    except jwt.InvalidTokenError:
        return JSONResponse({"error": "invalid_grant"}, status_code=400)
    if granted.pop("redirect_uri") != form.get("redirect_uri"):
        return JSONResponse({"error": "invalid_grant"}, status_code=400)
    now = int(time.time())
    for spent in ("aud", "iat", "exp", "jti"):
        granted.pop(spent, None)
    id_token = provider.sign({**granted, "iss": issuer_of(request), "aud": CLIENT_ID, "iat": now,
                              "exp": now + ID_TOKEN_SECONDS})
    return JSONResponse({"access_token": id_token, "id_token": id_token, "token_type": "Bearer",
                         "expires_in": ID_TOKEN_SECONDS})


def _client_credentials(request: Request, form: Any) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        client, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        return unquote(client), unquote(secret)
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))


def _load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        draft = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
        draft.write_bytes(pem)
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # the first process to start writes it; the others read that one
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded
