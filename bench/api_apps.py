"""Bench-only server apps for bench/api.py: the "bare" ballot endpoint, `POST /bare`, on each
framework measured. Every one authenticates the bearer token against the store and validates the
body as `BallotInput` exactly as `POST /v1/contests/{slug}/ballots` does, answers as it does, and
writes nothing: the ceiling of this machine's HTTP stack for that request.

Server processes import these factories by name (`api_apps:fastapi_bare`), with KONKURS_HOME and
the store's environment set, so each builds its bootstrap from the environment like `konkurs api`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header
from pydantic import TypeAdapter

from domain.actors import Actor
from domain.commands.intake import BallotInput
from konkurs.api.context import Caller, Context
from konkurs.api.routes.portals import BallotAnswer, IdempotencyKey
from konkurs.api.server import app_from_env
from konkurs.bootstrap import bootstrap

BARE = "/bare"
BALLOT = TypeAdapter(BallotInput)


def bare_answer(batch: str | None) -> BallotAnswer:
    return BallotAnswer(status="accepted", reason=None, batch=batch or "", repeated=False)


def fastapi_bare() -> FastAPI:
    """The product's own app (middleware, problem details, every /v1 route) plus `/bare` with the
    ballot route's dependencies: what `konkurs api` serves, less the store write."""
    app = app_from_env()

    @app.post(BARE)
    async def bare(ballot: BallotInput, context: Context, actor: Caller,
                   idempotency_key: IdempotencyKey = None) -> BallotAnswer:
        return bare_answer(idempotency_key)

    return app


def fastapi_plain() -> FastAPI:
    """FastAPI itself, as the other frameworks here are measured: `/bare` alone, with one
    synchronous authentication dependency; the gap to `fastapi_bare` is the product's wiring."""
    app = FastAPI()

    @app.post(BARE)
    async def bare(ballot: BallotInput, caller: Annotated[Actor, Depends(plain_caller)],
                   idempotency_key: IdempotencyKey = None) -> BallotAnswer:
        return bare_answer(idempotency_key)

    return app


def plain_caller(authorization: Annotated[str, Header()] = "") -> Actor:
    return authenticated(authorization)


def authenticated(authorization: str) -> Actor:
    """The FastAPI `caller` dependency's work, for the frameworks that do not share it."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        raise PermissionError("this request needs a bearer credential")
    return bootstrap().services.credentials.authenticate(token)


def litestar_bare() -> Any:
    from litestar import Litestar, Request, post
    from litestar.di import Provide

    def actor(request: Request[Any, Any, Any]) -> Actor:
        return authenticated(request.headers.get("authorization", ""))

    # The dependency is synchronous and runs in a worker thread, as FastAPI runs `caller`.
    @post(BARE, status_code=200, dependencies={"actor": Provide(actor, sync_to_thread=True)})
    async def bare(body: bytes, actor: Actor, request: Request[Any, Any, Any]) -> BallotAnswer:
        BALLOT.validate_json(body)
        return bare_answer(request.headers.get("idempotency-key"))

    return Litestar(route_handlers=[bare])


def starlette_bare() -> Any:
    """FastAPI's own foundation with nothing between the route and the request: what FastAPI's
    dependency injection and validation layer costs."""
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    async def bare(request: Request) -> Response:
        await run_in_threadpool(authenticated, request.headers.get("authorization", ""))
        BALLOT.validate_json(await request.body())
        answer = bare_answer(request.headers.get("idempotency-key"))
        return Response(answer.model_dump_json(), media_type="application/json")

    return Starlette(routes=[Route(BARE, bare, methods=["POST"])])
