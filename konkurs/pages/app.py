"""Wiring the pages into the API's app: the session cookie, the identity provider link, the
static files, the routes, and refusals as pages rather than problem details."""

from __future__ import annotations

import os
from importlib.resources import files

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from konkurs.api.context import Api
from konkurs.pages import applicant, board, citizen, dev_provider, expert, home, signin
from konkurs.pages.rendering import refusal
from konkurs.pages.sessions import SESSION_COOKIE, SESSION_HOURS, Sessions
from services.identity import OidcSettings

DEV_PROVIDER = "KONKURS_DEV_OIDC"
API_PREFIXES = ("/v1/", "/docs", "/redoc", "/openapi.json", "/static-offline-docs", "/dev-oidc/token",
                "/dev-oidc/jwks", "/dev-oidc/.well-known")


def install(app: FastAPI, context: Api) -> None:
    settings = context.boot.settings
    key = settings.session_key()
    # The development provider is the embedded default's: never in production mode.
    dev = None if settings.production or os.environ.get(DEV_PROVIDER) == "0" else \
        dev_provider.DevProvider(settings.ensure_home(), key)
    app.state.sessions = Sessions(key, context.services.credentials)
    app.state.dev_provider = dev
    app.state.provider_link = signin.ProviderLink(OidcSettings.from_env(os.environ), dev)
    app.state.html_problem = html_problem
    app.add_middleware(PageHeaders)
    app.add_middleware(SessionMiddleware, secret_key=key.decode(), session_cookie=SESSION_COOKIE,
                       max_age=SESSION_HOURS * 3600, same_site="lax", https_only=settings.production)
    # The pages wear the public site's stylesheet, and add their own forms' rules to it.
    for package, address in (("konkurs.site", "/static/site"), ("konkurs.pages", "/static/pages")):
        app.mount(address, StaticFiles(directory=str(files(package) / "static")), name=address)
    for module in (home, signin, dev_provider, applicant, expert, citizen, board):
        app.include_router(module.router)


class PageHeaders:
    """What a browser is told about every page: not to be framed by another site, not to guess
    types, not to leak the address (which may hold a receipt) to other sites. The API's answers
    are left as they are."""

    HEADERS = ((b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
               (b"referrer-policy", b"same-origin"),
               (b"content-security-policy",
                b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                b"frame-ancestors 'none'; form-action 'self'"))

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(API_PREFIXES):
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


def html_problem(request: Request, status: int, detail: str) -> Response | None:
    """A refusal on a page's address as a page; None leaves the API's problem details."""
    if request.url.path.startswith(API_PREFIXES) or "application/json" in request.headers.get("accept", ""):
        return None
    return refusal(request, status, detail)
