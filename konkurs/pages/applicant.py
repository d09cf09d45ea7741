"""The applicant's pages: the application form of an open contest (a draft, or filed), its own
submissions across contests, one submission with its outcome, files and result. Every form calls
the services the API calls, with the visitor's actor; a refusal is shown as the service words it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from domain.actors import Actor
from domain.aggregates import SubmissionStatus
from domain.commands.intake import FileDraft, Submit
from domain.commands.reads import ReadSubmissions
from domain.errors import KonkursError
from konkurs.api.problems import status_of
from konkurs.pages import applicant_submission
from konkurs.pages.applicant_form import Posted, choices, field_of_refusal, new_reference, read_form
from konkurs.pages.applicant_submission import STATUS_NAMES, applicant_of, show_submission
from konkurs.pages.rendering import page, services_of, sessions_of
from services.applicant_desk import ReadIntakeWindow, ReadOwnSubmissions
from services.konkurs import Konkurs

router = APIRouter(include_in_schema=False)
router.include_router(applicant_submission.router)
DRAFT, FILE = "draft", "file"
SAVED_NOTICES = {DRAFT: "Черновик сохранён. Приложите материалы и подайте заявку до окончания приёма.",
                 FILE: "Заявка подана.", "filed": "Черновик подан как заявка.",
                 "attached": "Файл приложен к заявке.", "same-file": "Этот файл уже был приложен к заявке."}


@router.get("/contests/{slug}/apply")
def apply_form(request: Request, slug: str) -> Response:
    actor = applicant_of(request)
    posted = Posted({"reference": new_reference(), "inn": actor.scope.inn or ""})
    return _form_page(request, slug, posted)


@router.get("/contests/{slug}/applications/{reference}/edit")
def edit_draft(request: Request, slug: str, reference: str) -> Response:
    actor = applicant_of(request)
    services = services_of(request)
    form = services.applicant_desk.form_of(ReadSubmissions(actor=actor, slug=slug, reference=reference))
    if not _is_own_draft(services, actor, slug, reference):
        return show_submission(request, actor, slug, reference, status=409,
                               errors={"form": "Изменить можно только черновик: эта заявка уже подана."})
    return _form_page(request, slug, Posted.from_submission(form), editing=True)


@router.post("/contests/{slug}/apply")
async def apply(request: Request, slug: str, csrf: Annotated[str, Form()],
                action: Annotated[str, Form()] = FILE) -> Response:
    sessions_of(request).check_csrf(request, csrf)
    actor = applicant_of(request)
    services = services_of(request)
    spec = services.store.get_contest(slug).spec
    posted = Posted.from_form(await request.form())
    reference = posted.values["reference"]
    editing = bool(reference) and _is_own_draft(services, actor, slug, reference)
    form, errors = read_form(posted, spec)
    if form is None:
        return _form_page(request, slug, posted, errors=errors, status=422, editing=editing)
    try:
        services.submissions.submit(Submit(actor=actor, slug=slug, forms=[("the form", form)],
                                           draft=action == DRAFT))
    except KonkursError as refused:
        return _refused(request, slug, posted, refused, editing)
    done = DRAFT if action == DRAFT else FILE
    return RedirectResponse(f"/contests/{slug}/applications/{form.reference}?saved={done}", status_code=303)


@router.post("/contests/{slug}/applications/{reference}/filing")
def file_draft(request: Request, slug: str, reference: str, csrf: Annotated[str, Form()]) -> Response:
    sessions_of(request).check_csrf(request, csrf)
    actor = applicant_of(request)
    try:
        services_of(request).submissions.file_draft(FileDraft(actor=actor, slug=slug, reference=reference))
    except KonkursError as refused:
        return show_submission(request, actor, slug, reference, status=status_of(refused),
                               errors={"form": str(refused)})
    return RedirectResponse(f"/contests/{slug}/applications/{reference}?saved=filed", status_code=303)


@router.get("/contests/{slug}/applications/{reference}")
def submission_page(request: Request, slug: str, reference: str, saved: str = "") -> Response:
    actor = applicant_of(request)
    return show_submission(request, actor, slug, reference, notice=SAVED_NOTICES.get(saved, ""))


@router.get("/applications")
def own_submissions(request: Request) -> Response:
    actor = applicant_of(request)
    services = services_of(request)
    own = services.applicant_desk.own_submissions(ReadOwnSubmissions(actor=actor)).submissions
    open_contests = [(slug, services.store.get_contest(slug).spec.title)
                     for slug in services.store.contest_slugs()
                     if services.applicant_desk.intake_window(ReadIntakeWindow(slug=slug)).open]
    return page(request, "applicant_list.html", title="Мои заявки", submissions=own,
                open_contests=open_contests, status_names=STATUS_NAMES)


def _form_page(request: Request, slug: str, posted: Posted, errors: dict[str, str] | None = None,
               status: int = 200, editing: bool = False) -> Response:
    services = services_of(request)
    contest = services.store.get_contest(slug)
    window = services.applicant_desk.intake_window(ReadIntakeWindow(slug=slug))
    title = "Черновик заявки" if editing else "Заявка на конкурс"
    return page(request, "applicant_form.html", status=status, title=title, contest=contest.spec,
                slug=slug, window=window, posted=posted.values, confirmed=posted.conditions,
                editing=editing, errors=errors or {}, **choices(contest.spec))


def _refused(request: Request, slug: str, posted: Posted, refused: KonkursError, editing: bool) -> Response:
    """A service's refusal: on its field when it is about one, else the form's one sentence."""
    about_field = field_of_refusal(refused)
    if about_field is not None:
        name, message = about_field
        return _form_page(request, slug, posted, errors={name: message}, status=422, editing=editing)
    return _form_page(request, slug, posted, errors={"form": str(refused)}, status=status_of(refused),
                      editing=editing)


def _is_own_draft(services: Konkurs, actor: Actor, slug: str, reference: str) -> bool:
    try:
        [record] = services.submission_reads.submissions(
            ReadSubmissions(actor=actor, slug=slug, reference=reference))
    except KonkursError:
        return False
    return record.status == SubmissionStatus.DRAFT
