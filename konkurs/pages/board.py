"""The operator's board of a contest or stage at /contests/{slug}/board: its federal or regional
operator may act on it, its auditors may read it, and everyone else is refused."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from konkurs.pages import board_actions
from konkurs.pages.board_page import board_page, reader

router = APIRouter(include_in_schema=False)
router.include_router(board_actions.router)


@router.get("/contests/{slug}/board")
def show(slug: str, request: Request) -> Response:
    visitor, actor = reader(request, slug)
    return board_page(request, visitor, actor, slug)
