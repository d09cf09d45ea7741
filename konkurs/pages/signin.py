"""Signing in and out: with a Konkurs token pasted into the form, or through the OpenID Connect
provider (ESIA or a regional SSO in production; the development provider in the embedded
default). A citizen, whom the provider knows but who holds no Konkurs role, signs in to vote."""

from __future__ import annotations

import os
import time
import warnings
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from domain.actors import ActorKind
from domain.errors import Unauthenticated
from konkurs.pages import dev_provider
from konkurs.pages.rendering import page, sessions_of
from konkurs.pages.sessions import Visitor
from services.identity import OidcProvider, OidcSettings

with warnings.catch_warnings():
    # authlib announces, at import, a move of its httpx support that does not touch this client;
    # its module of deprecations sets that warning to "always" as it loads, so it loads first.
    import authlib.deprecate  # noqa: F401
    warnings.simplefilter("ignore")
    from authlib.integrations.starlette_client import OAuth, OAuthError

router = APIRouter(include_in_schema=False)
CLIENT_SECRET = "KONKURS_OIDC_CLIENT_SECRET"
PUBLIC_URL = "KONKURS_PUBLIC_URL"


class ProviderLink:
    """The OpenID Connect client of the pages: the configured provider when KONKURS_OIDC_* name
    one (with KONKURS_OIDC_CLIENT_SECRET), else the development provider, if it is served."""

    def __init__(self, configured: OidcSettings | None, dev: dev_provider.DevProvider | None) -> None:
        self.configured = configured
        self.dev = dev
        self.oauth = OAuth()
        self._registered: dict[str, Any] = {}

    @property
    def available(self) -> bool:
        return (self.configured is not None and bool(os.environ.get(CLIENT_SECRET))) or self.dev is not None

    @property
    def label(self) -> str:
        return "через поставщика удостоверений" if self.configured else "через тестовый вход (разработка)"

    def client(self, request: Request) -> Any:
        """The authlib client for this provider; the development one's addresses are this site's."""
        if self.configured is not None:
            issuer, client_id = self.configured.issuer, self.configured.audience
            secret = os.environ.get(CLIENT_SECRET, "")
        else:
            assert self.dev is not None
            issuer, client_id, secret = (dev_provider.issuer_of(request), dev_provider.CLIENT_ID,
                                         self.dev.client_secret)
        if issuer not in self._registered:
            self._registered[issuer] = self.oauth.register(
                name=f"provider{len(self._registered)}", client_id=client_id, client_secret=secret,
                server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
                client_kwargs={"scope": "openid"})
        return self._registered[issuer]

    def verifier(self, request: Request) -> OidcProvider:
        """Claims to actor, by the configured claim names; the development provider uses the defaults."""
        if self.configured is not None:
            return OidcProvider(self.configured)
        return OidcProvider(OidcSettings(issuer=dev_provider.issuer_of(request),
                                         audience=dev_provider.CLIENT_ID,
                                         jwks_url=dev_provider.issuer_of(request) + "/jwks"))


def link_of(request: Request) -> ProviderLink:
    found: ProviderLink = request.app.state.provider_link
    return found


def landing(visitor: Visitor) -> str:
    """Where a visitor goes once signed in: to the page their role works on."""
    actor = visitor.actor
    if actor is None:
        return "/"
    return {ActorKind.EXPERT: "/expert", ActorKind.APPLICANT: "/applications"}.get(actor.kind, "/")


def _safe_next(target: str) -> str:
    """Only a path of this site: a link that sends a signed-in visitor elsewhere is refused."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""


@router.get("/signin")
def signin_form(request: Request, next: str = "") -> Response:
    return page(request, "signin.html", next=_safe_next(next), provider=link_of(request))


@router.post("/signin")
def signin(request: Request, csrf: Annotated[str, Form()], token: Annotated[str, Form()] = "",
           next: Annotated[str, Form()] = "") -> Response:
    sessions = sessions_of(request)
    sessions.check_csrf(request, csrf)
    if not token.strip():
        error = "Вставьте ключ доступа: konkurs_… (его выдаёт оператор командой konkurs tokens issue)."
        return page(request, "signin.html", status=422, next=_safe_next(next), provider=link_of(request),
                    errors={"token": error}, visitor=None)
    try:
        visitor = sessions.sign_in_with_token(request, token)
    except Unauthenticated as refused:
        return page(request, "signin.html", status=401, next=_safe_next(next), provider=link_of(request),
                    errors={"token": str(refused)}, visitor=None)
    return RedirectResponse(_safe_next(next) or landing(visitor), status_code=303)


@router.post("/signout")
def signout(request: Request, csrf: Annotated[str, Form()]) -> Response:
    sessions = sessions_of(request)
    sessions.check_csrf(request, csrf)
    sessions.sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/signin/oidc")
async def signin_with_provider(request: Request, next: str = "") -> Response:
    link = link_of(request)
    if not link.available:
        raise Unauthenticated("no identity provider is configured: sign in with a Konkurs token")
    request.session["after_signin"] = _safe_next(next)
    return await link.client(request).authorize_redirect(request, callback_address(request))  # type: ignore[no-any-return]


def callback_address(request: Request) -> str:
    """Where the provider sends the visitor back: under KONKURS_PUBLIC_URL when a TLS proxy stands
    in front (the address registered at the provider is the public https one), else this request's."""
    public = os.environ.get(PUBLIC_URL, "").strip().rstrip("/")
    return f"{public}/signin/oidc/callback" if public else str(request.url_for("provider_callback"))


@router.get("/signin/oidc/callback", name="provider_callback")
async def provider_callback(request: Request) -> Response:
    link = link_of(request)
    try:
        answer = await link.client(request).authorize_access_token(request)
    except OAuthError as error:
        raise Unauthenticated(f"the identity provider refused the sign-in: {error.error}") from None
    claims: dict[str, Any] = answer.get("userinfo") or {}
    verifier = link.verifier(request)
    actor = verifier.actor_from_claims(claims) if verifier.carries_role(claims) else None
    after = _safe_next(str(request.session.get("after_signin", "")))
    visitor = sessions_of(request).sign_in_with_claims(
        request, actor, str(claims["sub"]), claims.get(verifier.settings.region_claim),
        float(claims.get("exp", time.time())))
    return RedirectResponse(after or landing(visitor), status_code=303)
