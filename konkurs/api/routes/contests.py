"""Contests as anyone may read them (the list, the schedule, the published results and the chain
head they rest on) and as their operators and auditors read them (the board, the tally)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from domain.phases import PhasePlan
from konkurs.api.context import Caller, Context
from projections import board, list_contests, results
from projections.models import Board, ContestSummary, Results, Tally
from projections.vote_queries import tally

router = APIRouter(tags=["contests"])


class PublishedHead(BaseModel):
    slug: str
    published: bool
    chain_position: int | None = Field(description="The log position the published results were sealed at")
    chain_head: str | None = Field(description="The chain's link at that position (hex): publish it")


@router.get("/contests", summary="Every announced contest, with its phase and counts")
def contests(context: Context) -> list[ContestSummary]:
    return list_contests(context.views())


@router.get("/contests/{slug}/schedule", summary="The phases and their deadlines, extensions included")
def schedule(slug: str, context: Context) -> PhasePlan:
    plan: PhasePlan = context.services.store.get_contest(slug).plan
    return plan


@router.get("/contests/{slug}/results", summary="The published results: places, scores, the vote")
def contest_results(slug: str, context: Context) -> Results:
    context.services.store.get_contest(slug)
    return results(context.views(), slug)


@router.get("/contests/{slug}/head", summary="The chain head the published results are sealed with")
def head(slug: str, context: Context) -> PublishedHead:
    context.services.store.get_contest(slug)
    shown = results(context.views(), slug)
    return PublishedHead(slug=slug, published=shown.published, chain_position=shown.sealed_position,
                         chain_head=shown.sealed_head)


@router.get("/contests/{slug}/status", summary="The board: phase, deadlines, counts by nomination "
                                               "and region (operators and auditors)")
def status(slug: str, context: Context, actor: Caller) -> Board:
    context.services.contests.require_reader(actor, slug, "read the board")
    return board(context.views(), slug)


@router.get("/contests/{slug}/tally", summary="The vote as counted so far (operators and auditors)")
def vote_tally(slug: str, context: Context, actor: Caller) -> Tally:
    context.services.contests.require_reader(actor, slug, "read the tally")
    return tally(context.views(), slug)
