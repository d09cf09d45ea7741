"""Contests as anyone may read them (the list, the schedule, the published results and the chain
head they rest on) and as their operators and auditors read them (the board, the tally)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from domain.access import rights_of
from domain.actors import Actor, Role
from domain.phases import PhasePlan
from konkurs.api.context import Caller, Context, Presented
from projections import board, list_contests, participation, results
from projections.judging_report import JudgingReport, judging_report
from projections.models import Board, ContestSummary, RegionDemand, Results, Tally
from projections.participation_models import Participation
from projections.vote_queries import demand, tally

router = APIRouter(tags=["contests"])


class Me(BaseModel):
    actor: Actor
    role: Role | None
    rights: list[str] = Field(description="What the caller may do, in plain words")


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


@router.get("/contests/{slug}/results", summary="The published results: places, scores, the vote "
                                                "(before publication, its operators and auditors)")
def contest_results(slug: str, context: Context, presented: Presented) -> Results:
    context.services.store.get_contest(slug)
    shown = results(context.views(), slug)
    if not shown.published:
        context.services.contests.require_reader(presented.actor(), slug, "read results before publication")
    return shown


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


@router.get("/contests/{slug}/demand", summary="Which practices each region's citizens want most "
                                               "(operators and auditors)")
def vote_demand(slug: str, context: Context, actor: Caller) -> list[RegionDemand]:
    context.services.contests.require_reader(actor, slug, "read the vote's demand")
    return demand(context.views(), slug)


@router.get("/contests/{slug}/judging", summary="Judging: cards per expert, agreement, leniency "
                                                "(operators and auditors)")
def judging(slug: str, context: Context, actor: Caller) -> JudgingReport:
    context.services.contests.require_reader(actor, slug, "read the judging report")
    return judging_report(context.services, slug)


@router.get("/contests/{slug}/participation", summary="The participation league by region "
                                                      "(operators and auditors)")
def participation_league(slug: str, context: Context, actor: Caller) -> Participation:
    context.services.contests.require_reader(actor, slug, "read the participation league")
    return participation(context.views(), slug)


@router.get("/whoami", summary="Who the credential acts as, and what it may do")
def whoami(actor: Caller) -> Me:
    return Me(actor=actor, role=actor.role, rights=rights_of(actor))
