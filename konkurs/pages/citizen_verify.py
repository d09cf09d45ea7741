"""Checking a receipt against the published results: anyone holding one may, without signing in.
A read, so a plain GET form: nothing is written, and the answer's address can be kept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from domain.commands.receipts import ReceiptStatus, VerifyReceipt
from konkurs.pages.rendering import api_of, page
from projections import results

router = APIRouter(include_in_schema=False)

FIELD_MESSAGES = {
    "ballot": "Номер бюллетеня — 32 знака: цифры 0–9 и буквы a–f, как в квитанции.",
    "position": "Позиция в журнале — целое число не меньше 1, как в квитанции.",
}
STATUS_CODES = {ReceiptStatus.NOT_FOUND: 404}


@router.get("/contests/{slug}/verify")
def verify(request: Request, slug: str, ballot: str | None = None, position: str | None = None) -> Response:
    api = api_of(request)
    contest = api.services.store.get_contest(slug)
    shown = results(api.views(), slug)
    context: dict[str, Any] = {
        "title": "Проверка голоса", "contest": contest.spec, "slug": slug, "shown": shown,
        "ballot": ballot or "", "position": position or "", "check": None,
        "base": str(request.base_url).rstrip("/")}
    if ballot is None and position is None:
        return page(request, "citizen_verify.html", **context)
    try:
        order = VerifyReceipt.model_validate({"slug": slug, "ballot": ballot or "",
                                              "position": (position or "").strip()})
    except ValidationError as invalid:
        errors = {str(error["loc"][0]): FIELD_MESSAGES[str(error["loc"][0])] for error in invalid.errors()
                  if error["loc"] and error["loc"][0] in FIELD_MESSAGES}
        return page(request, "citizen_verify.html", status=422, errors=errors, **context)
    check = api.services.receipts.verify(order)
    titles = {nomination.code: nomination.title for nomination in contest.spec.nominations}
    return page(request, "citizen_verify.html", status=STATUS_CODES.get(check.status, 200),
                **{**context, "check": check, "nomination": titles.get(check.nomination or "", "")})
