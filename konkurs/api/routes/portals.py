"""Ballots from portals: one per citizen's click, committed together with the clicks around it,
or a batch; either way the same batch rule answers a retry as the first time."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field, TypeAdapter

from domain.actors import Actor
from domain.commands.intake import BallotInput, BatchOutcome, CastBallots
from konkurs.api.context import Caller, Context

router = APIRouter(tags=["ballots"])
BALLOTS = TypeAdapter(list[BallotInput])

BATCH_MOST = 50_000

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200,
    description="Names the request: the same key again records nothing and answers as the first "
                "time. Without one, the ballot's content names it.")]


class BallotAnswer(BaseModel):
    status: Literal["accepted", "refused"]
    reason: str | None = Field(description="Why it was refused: already voted, outside the voting "
                                           "window, not on the shortlist, unknown nomination or region")
    batch: str = Field(description="The request's batch id in the log")
    repeated: bool = Field(description="True when this answers a retry: nothing new was recorded")


class Ballots(BaseModel):
    ballots: list[BallotInput] = Field(min_length=1, max_length=BATCH_MOST)


@router.post("/contests/{slug}/ballots", summary="Cast one citizen's ballot")
async def cast_ballot(
    slug: str, ballot: BallotInput, context: Context, actor: Caller, idempotency_key: IdempotencyKey = None,
) -> BallotAnswer:
    order = CastBallots(actor=actor, slug=slug, ballots=[ballot], voter_key=context.voter_key,
                        batch=_batch(actor, idempotency_key, [ballot]))
    outcome = await context.group.cast(order)
    reason = next(iter(outcome.rejected), None)
    return BallotAnswer(status="refused" if reason else "accepted", reason=reason, batch=outcome.batch,
                        repeated=outcome.repeated)


@router.post("/contests/{slug}/ballot-batches", summary="Cast a batch of ballots in one transaction")
def cast_batch(
    slug: str, batch: Ballots, context: Context, actor: Caller, idempotency_key: IdempotencyKey = None,
) -> BatchOutcome:
    return context.services.ballots.cast_ballots(CastBallots(
        actor=actor, slug=slug, ballots=batch.ballots, voter_key=context.voter_key,
        batch=_batch(actor, idempotency_key, batch.ballots)))


def _batch(actor: Actor, key: str | None, ballots: list[BallotInput]) -> str | None:
    """The request's batch id. A key is the caller's own (two portals may use the same one without
    meeting), and it names one body: the same key with other ballots is another request, never
    answered with the first one's outcome while its own ballots go unrecorded."""
    if key is None:
        return None
    digest = hashlib.sha256(f"{actor.kind}\x1f{actor.id}\x1f{key}\x1e".encode())
    digest.update(BALLOTS.dump_json(ballots))
    return digest.hexdigest()[:32]
