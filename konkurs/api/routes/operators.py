"""Operators' actions on a running contest: the same signed Temporal Updates the CLI sends,
with the caller as their actor; the workflow's validators and the services decide."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from domain.actors import Actor
from domain.aggregates import Contest
from domain.phases import Phase
from konkurs import operations
from konkurs.api.context import Caller, Context
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ClosePhase, ContestState, ExtendDeadline

router = APIRouter(tags=["operators"])

Reason = Field(default="", max_length=2000, description="Recorded with the action")


class Extension(BaseModel):
    until: AwareDatetime = Field(description="The new deadline, an ISO time with its offset, "
                                             "e.g. 2023-06-30T23:59:59+03:00")
    reason: str = Reason
    phase: Phase | None = Field(default=None, description="The phase to extend; default: the current one")


class Closing(BaseModel):
    phase: Phase = Field(description="The phase to close; must be the current one")
    reason: str = Reason
    force: bool = Field(default=False, description="Close judging although cards are still open; "
                                                   "needs a reason")


class Cancellation(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def signer_for(context: Context, actor: Actor, contest: Contest, right: str) -> operations.Signer:
    """A refusal comes back at once as 403, without a round trip to Temporal."""
    return operations.signer_for(context.services.senders, actor, contest, right)


@router.post("/contests/{slug}/extend", summary="Extend a deadline, e.g. collection to 30 June")
async def extend(slug: str, body: Extension, context: Context, actor: Caller) -> ContestState:
    contest = context.services.store.get_contest(slug)
    signer = signer_for(context, actor, contest, "extend deadlines")
    # The phase as the log records it: asking the workflow would wait on a worker that may be down.
    phase = body.phase or contest.phase
    request = ExtendDeadline(phase=phase, closes_at=body.until, reason=body.reason)
    return await operations.send_update(await context.boot.client(), slug, ContestWorkflow.extend_deadline,
                                        request, signer)


@router.post("/contests/{slug}/close", summary="Close the current phase now")
async def close(slug: str, body: Closing, context: Context, actor: Caller) -> ContestState:
    signer = signer_for(context, actor, context.services.store.get_contest(slug), "close phases")
    return await operations.send_update(await context.boot.client(), slug, ContestWorkflow.close_phase,
                                        ClosePhase(phase=body.phase, reason=body.reason,
                                                   force=body.force), signer)


@router.post("/contests/{slug}/cancel", summary="Cancel the contest in any phase")
async def cancel(slug: str, body: Cancellation, context: Context, actor: Caller) -> ContestState:
    signer = signer_for(context, actor, context.services.store.get_contest(slug), "cancel contests")
    return await operations.send_update(await context.boot.client(), slug, ContestWorkflow.cancel,
                                        CancelContest(reason=body.reason), signer)
