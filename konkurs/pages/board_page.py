"""The operator's board of a contest or stage, as a page: who may see it, and what it shows.
Everything comes from the views (aggregate queries) except the judging progress, which the
service reads once judging has opened."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from domain.actors import Actor, ActorKind
from domain.errors import Forbidden, Unauthenticated
from domain.phases import Phase
from konkurs.pages.home import PHASE_NAMES
from konkurs.pages.rendering import api_of, page, sessions_of
from konkurs.pages.sessions import Visitor
from projections import board
from projections.board_queue import STATUSES, judging_progress, screening_queue, statuses_by_nomination
from projections.stage_queries import stage_links

# What «продлить …» and «закрыть …» act on, for each phase an operator can extend or close.
PHASE_OBJECTS = {
    Phase.ANNOUNCED: "этап объявления", Phase.COLLECTING: "приём заявок",
    Phase.MATERIALS: "приём материалов", Phase.SCREENING: "проверку заявок",
    Phase.JUDGING: "экспертную оценку", Phase.VOTING: "народное голосование",
    Phase.RESULTS: "подведение итогов",
}
STATUS_NAMES = {"draft": "черновики", "submitted": "поданы, ждут проверки", "admitted": "допущены",
                "rejected": "отклонены", "withdrawn": "отозваны"}
PROMOTION_NAMES = {"waiting": "ожидается", "promoted": "состоялось", "refused": "отказано",
                   "disputed": "расхождение записей"}
JUDGING_SHOWN = (Phase.JUDGING, Phase.VOTING, Phase.RESULTS, Phase.CLOSED)


def reader(request: Request, slug: str, right: str = "read the board") -> tuple[Visitor, Actor]:
    """The signed-in visitor and their actor, once the contest's rules let them read its board."""
    visitor = sessions_of(request).visitor(request)
    if visitor is None:
        raise Unauthenticated("sign in to open a contest's board")
    if visitor.actor is None:
        raise Forbidden(f"a citizen may not {right} of {slug}: only its operators and auditors may")
    api_of(request).services.contests.require_reader(visitor.actor, slug, right)
    return visitor, visitor.actor


def board_page(request: Request, visitor: Visitor, actor: Actor, slug: str, status: int = 200,
               **context: Any) -> HTMLResponse:
    """The board; `context` carries a form's values and errors, a refusal or a notice."""
    api = api_of(request)
    views = api.views()
    shown = board(views, slug)
    phase = Phase(shown.phase)
    progress, names = None, {}
    if phase in JUDGING_SHOWN:
        # Cards count as the ranking counts them: those recorded up to judging's close.
        store = api.services.store
        closed_at = store.phase_closed_at(slug, Phase.JUDGING) or store.head_position()
        progress = judging_progress(views, slug, closed_at)
        names = {profile.id: profile.name for profile in api.services.reads.roster(slug)} if progress else {}
    context.setdefault("values", {})
    return page(
        request, "board.html", status=status, visitor=visitor, title=f"Панель оператора: {shown.title}",
        board=shown, phase=phase, phase_names=PHASE_NAMES, phase_objects=PHASE_OBJECTS,
        statuses=STATUSES, status_names=STATUS_NAMES, by_status=statuses_by_nomination(views, slug),
        queue=screening_queue(views, slug), progress=progress, names=names,
        links=stage_links(views, slug), promotion_names=PROMOTION_NAMES,
        may_act=actor.kind == ActorKind.OPERATOR and phase in PHASE_OBJECTS,
        **context,
    )
