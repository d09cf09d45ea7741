"""The app: versioned routes under /v1, problem details for every error, a cap on bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi_offline import FastAPIOffline

from domain.spec.materials import LARGEST_ALLOWED
from konkurs import pages
from konkurs.api import problems
from konkurs.api.context import Api
from konkurs.api.group_commit import GroupCommit
from konkurs.api.limits import JSON_BODY_LIMIT, BodyLimit
from konkurs.api.routes import (
    applicants,
    checkpoints,
    contests,
    events,
    experts,
    materials,
    operators,
    participation,
    portals,
)
from konkurs.bootstrap import Bootstrap, bootstrap

MULTIPART_SLACK = 64 * 1024
BATCH_BODY_LIMIT = 8 * 1024 * 1024  # 50,000 ballots of about 110 bytes each

DESCRIPTION = """\
Konkurs runs public best-practice contests. Portals, experts, applicants, operators and
services call this API with a bearer credential: a Konkurs token (`konkurs tokens issue`) or an
OpenID Connect JWT. Every answer that is not a success is RFC 9457 problem details whose
`detail` says what is wrong in one sentence. See docs/api.md for a worked example per user.
"""


def body_limit(path: str) -> int:
    """Uploads may be as large as the most generous spec allows (each contest's own limit is
    checked by the service), a batch of ballots as large as its most ballots; every other body
    is JSON and small."""
    if path.endswith("/materials"):
        return LARGEST_ALLOWED + MULTIPART_SLACK
    return BATCH_BODY_LIMIT if path.endswith("/ballot-batches") else JSON_BODY_LIMIT


def create_app(boot: Bootstrap | None = None, group_commit: bool = True, with_pages: bool = True) -> FastAPI:
    """`group_commit=False` gives each single ballot its own transaction (for comparison);
    `with_pages=False` serves the API alone, whose document needs no store or keys."""
    boot = boot or bootstrap()
    context = Api(boot, GroupCommit(boot.services.ballots, most=512 if group_commit else 1))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await context.group.close()

    # The interactive docs' scripts are served by the app itself: a ministry's network may have
    # no way out to a CDN.
    app = FastAPIOffline(title="Konkurs", version="1", description=DESCRIPTION, lifespan=lifespan,
                  responses=problems.PROBLEM_RESPONSES)
    app.state.api = context
    problems.install(app)
    app.add_middleware(BodyLimit, limit_for=body_limit)
    v1 = APIRouter(prefix="/v1")
    for module in (contests, participation, applicants, materials, experts, portals, operators, events,
                   checkpoints):
        v1.include_router(module.router)
    app.include_router(v1)
    if with_pages:
        pages.install(app, context)
    return app
