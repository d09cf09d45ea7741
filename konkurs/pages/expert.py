"""The expert's pages: their contests, their desk with its progress, an assigned submission's
materials with the score form and the conflict declaration, and the submission's files.

Every read and write goes through the services with the visitor's own actor, so an expert sees
and scores only what is assigned to them, until judging closes, as through the API and the CLI."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from domain.actors import Actor
from domain.commands.intake import RecordReviews, ReviewForm
from domain.commands.judging import Recuse
from domain.commands.reads import ReadAssignments, ReadSubmissions
from domain.errors import Unauthenticated, UnknownSubmission
from domain.russian_dates import russian_until
from konkurs.api.routes.experts import Recusal
from konkurs.pages.expert_cards import field_of, read_card, scale_of, shown
from konkurs.pages.rendering import MOSCOW, blobs_of, flash, page, services_of, sessions_of
from services.expert_reads import ExpertSubmission

router = APIRouter(include_in_schema=False)

SAVED = "Оценка сохранена. Её можно изменить до окончания экспертной оценки."
TEMPLATE_HELPERS: dict[str, Any] = {
    "field_of": field_of, "scale_of": scale_of, "shown": shown,
    "until": lambda closes_at: russian_until(closes_at, MOSCOW)}


@router.get("/expert")
def contests(request: Request) -> Response:
    found = services_of(request).expert_reads.contests(expert(request))
    return page(request, "expert_contests.html", title="Мои назначения", contests=found)


@router.get("/expert/{slug}")
def desk(request: Request, slug: str) -> Response:
    found = services_of(request).expert_reads.desk(ReadAssignments(actor=expert(request), slug=slug))
    return page(request, "expert_desk.html", title=f"Оценка заявок: {found.judged.title}", desk=found,
                **TEMPLATE_HELPERS)


@router.get("/expert/{slug}/{submission}")
def submission_page(request: Request, slug: str, submission: str) -> Response:
    return show(request, read(request, expert(request), slug, submission))


@router.post("/expert/{slug}/{submission}")
async def score(request: Request, slug: str, submission: str) -> Response:
    form = await request.form()
    sessions_of(request).check_csrf(request, form.get("csrf"))
    return await run_in_threadpool(record_card, request, slug, submission, dict(form))


def record_card(request: Request, slug: str, submission: str, form: dict[str, object]) -> Response:
    actor = expert(request)
    found = read(request, actor, slug, submission)
    scores, errors, typed = read_card(form, found.judged.criteria)
    if errors:
        return show(request, found, status=422, errors=errors, typed=typed)
    services_of(request).submissions.record_reviews(RecordReviews(actor=actor, slug=slug, forms=[
        ("this form", ReviewForm(submission=found.reference, expert=actor.id, scores=scores))]))
    flash(request, SAVED)
    return RedirectResponse(f"/expert/{slug}/{found.reference}", status_code=303)


@router.post("/expert/{slug}/{submission}/recusal")
def recuse(request: Request, slug: str, submission: str, csrf: Annotated[str, Form()] = "",
           reason: Annotated[str, Form()] = "") -> Response:
    sessions_of(request).check_csrf(request, csrf)
    actor = expert(request)
    found = read(request, actor, slug, submission)
    try:
        recusal = Recusal(submission=found.reference, reason=reason.strip())
    except ValidationError:
        message = ("Напишите, в чём конфликт интересов" if not reason.strip()
                   else "Причина длиннее 2000 знаков: сократите её")
        return show(request, found, status=422, errors={"reason": message}, reason=reason)
    reassigned = services_of(request).judging.recuse(Recuse(
        actor=actor, slug=slug, submission=recusal.submission, expert=actor.id, reason=recusal.reason))
    flash(request, f"Конфликт интересов по заявке {found.reference} записан. "
          + ("Заявку передали коллеге." if reassigned.experts else
             "Свободного эксперта пока нет: заявку назначит оператор."))
    return RedirectResponse(f"/expert/{slug}", status_code=303)


@router.get("/expert/{slug}/{submission}/materials/{number}")
def material(request: Request, slug: str, submission: str, number: str) -> Response:
    found = read(request, expert(request), slug, submission)
    chosen = next((m for m in found.materials if str(m.number) == number), None)
    path = blobs_of(request).path(chosen.sha256) if chosen else None
    if chosen is None or path is None or not path.exists():
        raise UnknownSubmission(f"submission {found.reference} has no file number {number[:12]}")
    return FileResponse(path, media_type=chosen.media_type, filename=chosen.name,
                        headers={"Cache-Control": "no-store"})


def show(request: Request, found: ExpertSubmission, status: int = 200, errors: dict[str, str] | None = None,
         typed: dict[str, str] | None = None, reason: str = "", notice: str = "") -> Response:
    values = typed if typed is not None else {
        field_of(c): shown(found.scores[c.code]) for c in found.judged.criteria
        if found.scores and c.code in found.scores}
    return page(request, "expert_submission.html", status=status, title=found.title, sub=found,
                errors=errors or {}, values=values, reason=reason, notice=notice, **TEMPLATE_HELPERS)


def read(request: Request, actor: Actor, slug: str, submission: str) -> ExpertSubmission:
    query = ReadSubmissions(actor=actor, slug=slug, reference=submission)
    return services_of(request).expert_reads.submission(query)


def expert(request: Request) -> Actor:
    visitor = sessions_of(request).visitor(request)
    if visitor is None or visitor.actor is None:
        raise Unauthenticated("sign in as an expert to see assignments")
    return visitor.actor

