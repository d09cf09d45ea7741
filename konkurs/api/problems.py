"""Errors as RFC 9457 problem details: one sentence in `detail`, the status it deserves, and never
a traceback. Bad input is a 4xx; a 500 says only that the server failed and is logged."""

from __future__ import annotations

from http import HTTPStatus

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from temporalio.service import RPCError

from domain.errors import (
    ContestAlreadyAnnounced,
    DuplicateBallot,
    DuplicateSubmission,
    EngineUnavailable,
    Forbidden,
    KonkursError,
    MaterialTooLarge,
    PhaseClosed,
    PromotionConflict,
    ReportAlreadyRecorded,
    Unauthenticated,
    UnknownContest,
    UnknownNomination,
    UnknownSubmission,
)

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("konkurs.api")

STATUS_OF: dict[type[KonkursError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    UnknownContest: 404,
    UnknownSubmission: 404,
    UnknownNomination: 404,
    DuplicateSubmission: 409,
    DuplicateBallot: 409,
    ContestAlreadyAnnounced: 409,
    PhaseClosed: 409,
    PromotionConflict: 409,
    ReportAlreadyRecorded: 409,
    EngineUnavailable: 503,
    MaterialTooLarge: 413,
}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(default="about:blank", description="A URI naming the kind of problem")
    title: str = Field(description="The HTTP status's phrase")
    status: int
    detail: str = Field(description="What is wrong and where, in one sentence")
    instance: str | None = Field(default=None, description="The request path")


PROBLEM_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"description": phrase, "content": {PROBLEM_JSON: {"schema": Problem.model_json_schema()}}}
    for status, phrase in ((401, "No valid credential"), (403, "The caller's role or scope forbids it"),
                           (404, "No such contest or submission"), (409, "Conflicts with the record"),
                           (413, "The body is too large"), (422, "The input breaks a rule"),
                           (503, "The workflow engine cannot be reached; try again"))
}


def problem_body(status: int, detail: str, path: str, kind: str = "about:blank") -> Problem:
    return Problem(type=kind, title=HTTPStatus(status).phrase, status=status, detail=detail, instance=path)


def problem(request: Request, status: int, detail: str, kind: str = "about:blank") -> Response:
    """Problem details; on a page's address, the page the app's `html_problem` makes of it."""
    as_page = getattr(request.app.state, "html_problem", None)
    shown = as_page(request, status, detail) if as_page is not None else None
    if shown is not None:
        return shown  # type: ignore[no-any-return]
    body = problem_body(status, detail, request.url.path, kind)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON,
                        headers=headers)


def status_of(error: KonkursError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]  # type: ignore[index]
    return 422


def install(app: FastAPI) -> None:
    @app.exception_handler(KonkursError)
    async def refused(request: Request, error: KonkursError) -> Response:
        kind = f"urn:konkurs:problem:{_kebab(type(error).__name__)}"
        return problem(request, status_of(error), str(error), kind)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        return problem(request, 422, describe_validation(error), "urn:konkurs:problem:invalid-input")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if error.status_code == 400:  # a body the framework cannot parse: bad input, like bad JSON
            return problem(request, 422, f"body: {error.detail}", "urn:konkurs:problem:invalid-input")
        return problem(request, error.status_code, str(error.detail))

    @app.exception_handler(RPCError)
    async def engine_down(request: Request, error: RPCError) -> Response:
        log.warning("temporal call failed", path=request.url.path, error=str(error))
        return problem(request, 503, f"the workflow engine did not answer ({error.status.name.lower()}); "
                       "try again", "urn:konkurs:problem:engine-unavailable")

    @app.exception_handler(Exception)
    async def failed(request: Request, error: Exception) -> Response:
        log.error("request failed", path=request.url.path, error=repr(error))
        return problem(request, 500, "the server failed to handle the request; it is logged")


def describe_validation(error: RequestValidationError) -> str:
    """The first problem of the input as one sentence: `body.title: String should have at most
    500 characters`."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    more = len(error.errors()) - 1
    tail = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{where}: {first.get('msg', 'invalid')}{tail}"


def _kebab(name: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))
