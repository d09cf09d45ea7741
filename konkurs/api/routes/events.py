"""The event stream for services, as Server-Sent Events: from a position, filtered by type and
contest, resumable with `Last-Event-ID` (each event's id is its log position)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query
from sse_starlette import EventSourceResponse, ServerSentEvent

from domain.access import refuse
from domain.actors import Actor, ActorKind
from domain.contract import topics_for
from konkurs.api.context import Caller, Context
from projections.public_events import ContestSlugs, public_event
from services.konkurs import Konkurs

router = APIRouter(tags=["events"])

PAGE = 500
LOOK_EVERY = 0.5


@router.get("/events", summary="The event stream (text/event-stream), from a position",
            response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`id` is the log position, `event` the event's name, "
                                            "`data` the event as `konkurs events tail` prints it"}})
async def events(
    context: Context, actor: Caller,
    start: Annotated[int, Query(alias="from", ge=1, le=2**62, description="The first position")] = 1,
    types: Annotated[list[str] | None, Query(alias="type", max_length=50,
                                             description="Only events of these names")] = None,
    contest: Annotated[str | None, Query(max_length=64, description="Only this contest's events")] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
    follow: Annotated[bool, Query(description="Keep the stream open for new events")] = True,
) -> EventSourceResponse:
    _require_subscriber(actor)
    topics = topics_for(types or [])
    if contest is not None:
        context.services.store.get_contest(contest)
        if not actor.scope.covers(contest):
            raise refuse(actor, f"follow the events of {contest}", "the contest is outside their scope")
    if last_event_id is not None and last_event_id.isdigit():
        start = int(last_event_id) + 1
    return EventSourceResponse(_stream(context.services, topics, start, _shown_to(actor, contest), follow),
                               ping=15)


def _shown_to(actor: Actor, contest: str | None) -> Callable[[str | None], bool]:
    """Which contests' events the caller sees: the one asked for, else those of its scope; events
    of no contest (credentials, registries) only to callers of every contest."""
    if contest is not None:
        return lambda slug: slug == contest
    if actor.scope.contests:
        return lambda slug: slug is not None and actor.scope.covers(slug)
    return lambda slug: True


async def _stream(
    services: Konkurs, topics: list[str], position: int, shown: Callable[[str | None], bool], follow: bool,
) -> AsyncIterator[ServerSentEvent]:
    slugs = ContestSlugs(services.store)
    while True:
        page = await asyncio.to_thread(_page, services, topics, position)
        for logged in page:
            position = logged.position + 1
            if shown(slugs.of(logged)):
                event = public_event(logged, slugs)
                yield ServerSentEvent(data=event.model_dump_json(), id=str(logged.position),
                                      event=event.name)
        if len(page) < PAGE:
            if not follow:
                return
            await asyncio.sleep(LOOK_EVERY)


def _page(services: Konkurs, topics: list[str], position: int) -> list:  # type: ignore[type-arg]
    found = []
    for logged in services.store.read_log(topics, start=position):
        found.append(logged)
        if len(found) == PAGE:
            break
    return found


def _require_subscriber(actor: Actor) -> None:
    """The whole stream: services that run beside the engine, and the people who oversee it."""
    if actor.kind not in (ActorKind.OPERATOR, ActorKind.AUDITOR, ActorKind.PORTAL) or actor.scope.region:
        raise refuse(actor, "follow the event stream",
                     "only federal operators, auditors and registered portals may")
