"""Pages from templates: every page gets the visitor, the CSRF token and the navigation its
role has; a refusal is a page that says why in one sentence, as the CLI would."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from domain.actors import ActorKind
from domain.russian_dates import russian_date, russian_deadline
from konkurs.api.context import Api
from konkurs.blobs import Blobs
from konkurs.pages.sessions import Sessions, Visitor
from services.konkurs import Konkurs

TITLE = "Конкурс лучших практик"
NOTICE = "notice"
STATUS_TITLES = {401: "Нужно войти", 403: "Нет доступа", 404: "Не найдено", 409: "Конфликт с записью",
                 413: "Файл слишком велик", 422: "Исправьте данные", 503: "Движок недоступен",
                 500: "Ошибка сервера"}

environment = Environment(loader=PackageLoader("konkurs.pages", "templates"),
                          autoescape=select_autoescape(default=True), undefined=StrictUndefined,
                          trim_blocks=True, lstrip_blocks=True)
MOSCOW = ZoneInfo("Europe/Moscow")
environment.filters["day"] = russian_date
environment.filters["deadline"] = lambda moment: russian_deadline(moment, MOSCOW)
templates = Jinja2Templates(env=environment)


def sessions_of(request: Request) -> Sessions:
    found: Sessions = request.app.state.sessions
    return found


def api_of(request: Request) -> Api:
    """The process's wiring, as the API's routes have it: services, views, settings."""
    found: Api = request.app.state.api
    return found


def services_of(request: Request) -> Konkurs:
    return api_of(request).services


def blobs_of(request: Request) -> Blobs:
    """Where submissions' files are kept, each under its SHA-256."""
    return Blobs(api_of(request).boot.settings.materials_path)


def navigation(visitor: Visitor | None) -> list[tuple[str, str]]:
    """The links a visitor's role has use for, as (address, label)."""
    links = [("/", "Конкурсы")]
    if visitor is None:
        return [*links, ("/signin", "Войти")]
    if visitor.actor is not None and visitor.actor.kind == ActorKind.EXPERT:
        links.append(("/expert", "Мои назначения"))
    if visitor.actor is not None and visitor.actor.kind == ActorKind.APPLICANT:
        links.append(("/applications", "Мои заявки"))
    return links


def flash(request: Request, notice: str) -> None:
    """A notice for the next page this visitor opens: what their last action did. Kept in the
    signed session, so a link cannot make a page claim something was recorded."""
    request.session[NOTICE] = notice


def page(request: Request, template: str, status: int = 200, visitor: Visitor | None = None,
         **context: Any) -> HTMLResponse:
    sessions = sessions_of(request)
    context["notice"] = context.get("notice") or request.session.pop(NOTICE, "")
    if visitor is None:
        visitor = sessions.visitor(request)
    context.setdefault("errors", {})
    return templates.TemplateResponse(request, template, status_code=status, headers=_no_store(), context={
        "site_title": TITLE, "visitor": visitor, "nav": navigation(visitor),
        "csrf": sessions.csrf_token(request), "path": request.url.path, **context})


def refusal(request: Request, status: int, detail: str) -> HTMLResponse:
    """A refused or failed request as a page: the status's Russian title and the one sentence."""
    return page(request, "refused.html", status=status, title=STATUS_TITLES.get(status, "Отказано"),
                detail=detail, status_code=status)


def _no_store() -> dict[str, str]:
    # Pages carry a person's own data and a CSRF token: no shared cache may keep them.
    return {"Cache-Control": "no-store"}
