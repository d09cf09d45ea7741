"""The front page: every announced contest with its phase, and what the visitor may do in it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.actors import ActorKind
from domain.phases import Phase
from konkurs.pages.rendering import api_of, page, sessions_of
from projections import list_contests
from projections.models import ContestSummary

router = APIRouter(include_in_schema=False)

PHASE_NAMES = {
    Phase.ANNOUNCED: "объявлен", Phase.COLLECTING: "приём заявок", Phase.MATERIALS: "приём материалов",
    Phase.SCREENING: "проверка заявок", Phase.JUDGING: "экспертная оценка",
    Phase.VOTING: "народное голосование", Phase.RESULTS: "подведение итогов", Phase.CLOSED: "завершён",
    Phase.CANCELLED: "отменён",
}


@router.get("/")
def front(request: Request) -> Response:
    contests = list_contests(api_of(request).views())
    visitor = sessions_of(request).visitor(request)
    operates = visitor is not None and visitor.actor is not None and visitor.actor.kind in (
        ActorKind.OPERATOR, ActorKind.AUDITOR)
    return page(request, "home.html", visitor=visitor, contests=contests, phase_names=PHASE_NAMES,
                actions=lambda contest: actions(contest, operates))


def actions(contest: ContestSummary, operates: bool) -> list[tuple[str, str]]:
    """The links a contest in its phase offers: to apply, to vote, to check a vote, to operate it.
    Each page checks the visitor's rights itself; a link is only a way there."""
    base = f"/contests/{contest.slug}"
    found = []
    if contest.phase in (Phase.COLLECTING, Phase.MATERIALS):
        found.append((f"{base}/apply", "Подать заявку"))
    if contest.phase == Phase.VOTING:
        found.append((f"{base}/vote", "Голосовать"))
    if contest.phase in (Phase.RESULTS, Phase.CLOSED):
        found.append((f"{base}/verify", "Проверить свой голос"))
    if operates:
        found.append((f"{base}/board", "Панель оператора"))
    return found
