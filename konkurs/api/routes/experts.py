"""An expert's desk: their assignments, their cards, their recusals, their progress."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from domain.access import refuse
from domain.actors import ActorKind
from domain.commands.intake import RecordReviews, ReviewForm
from domain.commands.judging import Reassigned, Recuse
from domain.commands.order import Recorded
from domain.commands.reads import Assignment, Progress, ReadAssignments
from konkurs.api.context import Caller, Context

router = APIRouter(tags=["experts"])


class Card(BaseModel):
    scores: dict[str, float] = Field(description="A score per criterion code, on the criterion's scale",
                                     max_length=100)


class Recusal(BaseModel):
    submission: str = Field(max_length=100)
    reason: str = Field(min_length=1, max_length=2000, description="The conflict of interest")


@router.get("/contests/{slug}/assignments", summary="My assignments, with the cards I have recorded")
def assignments(slug: str, context: Context, actor: Caller) -> list[Assignment]:
    return context.services.expert_desk.assignments(ReadAssignments(actor=actor, slug=slug))


@router.get("/contests/{slug}/progress", summary="How many of my assignments have a card")
def progress(slug: str, context: Context, actor: Caller) -> Progress:
    return context.services.expert_desk.progress(ReadAssignments(actor=actor, slug=slug))


@router.put("/contests/{slug}/cards/{submission}",
            summary="Record or revise my card for an assigned submission, until judging closes")
def record_card(slug: str, submission: str, card: Card, context: Context, actor: Caller) -> Recorded:
    form = ReviewForm(submission=submission, expert=actor.id, scores=card.scores)
    return context.services.submissions.record_reviews(
        RecordReviews(actor=actor, slug=slug, forms=[("this request", form)]))


@router.post("/contests/{slug}/recusals",
             summary="Declare a conflict of interest on an assignment; a colleague takes it over")
def recuse(slug: str, recusal: Recusal, context: Context, actor: Caller) -> Reassigned:
    if actor.kind != ActorKind.EXPERT:
        # Operators record a recusal for an expert with `konkurs recuse`; this is the expert's desk.
        raise refuse(actor, f"declare a conflict of interest in {slug}",
                     "only an expert declares their own conflicts here")
    return context.services.judging.recuse(Recuse(
        actor=actor, slug=slug, submission=recusal.submission, expert=actor.id, reason=recusal.reason))
