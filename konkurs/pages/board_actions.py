"""The board's two actions, extend the deadline and close the phase: a form, a confirmation page,
then the same signed Temporal Update the API's operators route and the CLI send, as the operator.
The workflow's validator and the rights decide; a refusal is shown on the board in one sentence."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from domain.aggregates import Contest
from domain.errors import InvalidCommand, KonkursError
from domain.phases import Phase
from domain.russian_dates import parse_day_or_moment, russian_deadline
from konkurs import operations
from konkurs.api.problems import status_of
from konkurs.pages.board_page import PHASE_OBJECTS, board_page, reader
from konkurs.pages.rendering import MOSCOW, api_of, flash, page, sessions_of
from konkurs.pages.sessions import Visitor
from workflows.contest import ContestWorkflow
from workflows.models import ClosePhase, ExtendDeadline, OperatorUpdate

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
DATE_HINT = "напишите её как 30.06.2030 или 30.06.2030 18:00 (время конкурса)"


@router.post("/contests/{slug}/board/extend")
def confirm_extension(slug: str, request: Request, csrf: Field = "", until: Field = "",
                      reason: Field = "") -> Response:
    visitor, contest, phase = _acting(request, slug, csrf, "extend deadlines")
    closes_at = _new_deadline(until, contest)
    if isinstance(closes_at, str):
        assert visitor.actor is not None
        return board_page(request, visitor, visitor.actor, slug, status=422, errors={"until": closes_at},
                          values={"until": until, "extend_reason": reason})
    return page(request, "board_confirm.html", visitor=visitor, title="Подтвердите продление",
                question=f"Подтвердите: продлить {PHASE_OBJECTS[phase]} до {_shown(closes_at)}?",
                reason=reason, action=f"/contests/{slug}/board/extend/confirm", button="Продлить",
                fields={"phase": phase.value, "until": closes_at.isoformat(), "reason": reason}, slug=slug)


def _new_deadline(text: str, contest: Contest) -> datetime | str:
    """The moment typed, read as the CLI's --until reads it; or what is wrong with it."""
    if not text.strip():
        return "Укажите новую дату окончания этапа."
    try:
        closes_at = contest.spec.local_moment(parse_day_or_moment(text), end_of_day=True)
    except ValueError:
        return f"Не удалось прочитать дату «{text.strip()}»: {DATE_HINT}."
    if closes_at <= operations.utc_now():
        return "Эта дата уже прошла: укажите дату позже сегодняшней."
    return closes_at


@router.post("/contests/{slug}/board/close")
def confirm_closing(slug: str, request: Request, csrf: Field = "", reason: Field = "") -> Response:
    visitor, _, phase = _acting(request, slug, csrf, "close phases")
    return page(request, "board_confirm.html", visitor=visitor, title="Подтвердите закрытие этапа",
                question=f"Подтвердите: закрыть {PHASE_OBJECTS[phase]} сейчас, до срока?", reason=reason,
                action=f"/contests/{slug}/board/close/confirm", button="Закрыть этап",
                fields={"phase": phase.value, "reason": reason}, slug=slug)


@router.post("/contests/{slug}/board/extend/confirm")
async def extend(slug: str, request: Request, csrf: Field = "", phase: Field = "", until: Field = "",
                 reason: Field = "") -> Response:
    visitor, contest, _ = _acting(request, slug, csrf, "extend deadlines")
    try:
        update = ExtendDeadline.model_validate({"phase": phase, "closes_at": until, "reason": reason})
    except ValidationError as error:
        raise _altered(error) from None
    done = f"Срок продлён: {PHASE_OBJECTS[update.phase]} до {_shown(update.closes_at)}."
    return await _send(request, visitor, contest, "extend deadlines", ContestWorkflow.extend_deadline,
                       update, done)


@router.post("/contests/{slug}/board/close/confirm")
async def close(slug: str, request: Request, csrf: Field = "", phase: Field = "",
                reason: Field = "") -> Response:
    visitor, contest, _ = _acting(request, slug, csrf, "close phases")
    try:
        update = ClosePhase.model_validate({"phase": phase, "reason": reason})
    except ValidationError as error:
        raise _altered(error) from None
    return await _send(request, visitor, contest, "close phases", ContestWorkflow.close_phase, update,
                       f"Этап закрыт: {PHASE_OBJECTS[update.phase]}.")


def _acting(request: Request, slug: str, csrf: str, right: str) -> tuple[Visitor, Contest, Phase]:
    """The operator acting, the contest as the log records it, and its phase; a visitor the
    rights refuse is refused here, before any confirmation is asked."""
    sessions_of(request).check_csrf(request, csrf)
    visitor, actor = reader(request, slug)
    contest = api_of(request).services.store.get_contest(slug)
    operations.signer_for(api_of(request).services.senders, actor, contest, right)
    if contest.phase not in PHASE_OBJECTS:
        raise InvalidCommand(f"contest {slug} is {contest.phase}: there is no deadline left to {right}")
    return visitor, contest, contest.phase


def _altered(error: ValidationError) -> InvalidCommand:
    # The confirmation's hidden fields came back changed: nothing a person typed.
    return InvalidCommand(f"the confirmed form was altered ({error.errors()[0]['loc'][0]}); "
                          "open the board again")


async def _send(request: Request, visitor: Visitor, contest: Contest, right: str, method: Any,
                update: OperatorUpdate, done: str) -> Response:
    api, actor = api_of(request), visitor.actor
    assert actor is not None
    signer = operations.signer_for(api.services.senders, actor, contest, right)
    try:
        await operations.send_update(await api.boot.client(), contest.slug, method, update, signer)
    except KonkursError as refused:
        return await run_in_threadpool(board_page, request, visitor, actor, contest.slug,
                                       status=status_of(refused), refusal=str(refused))
    flash(request, done)
    return RedirectResponse(f"/contests/{contest.slug}/board", status_code=303)


def _shown(moment: datetime) -> str:
    return f"{russian_deadline(moment, MOSCOW)} (мск)"
