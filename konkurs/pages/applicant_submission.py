"""One of the applicant's submissions: its status, screening outcome and reason in Russian, its
files (attached here, within the spec's limits, by the API's own service call), its place once the
results are published, and for a draft the way to edit and file it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from domain.actors import Actor, ActorKind
from domain.aggregates import Material, SubmissionStatus
from domain.commands.intake import AttachMaterial
from domain.commands.reads import ReadSubmissions
from domain.errors import Forbidden, KonkursError, Unauthenticated, UnknownSubmission
from domain.phases import MATERIAL_PHASES
from domain.rules.materials import check_size
from domain.rules.russian_reasons import in_russian
from konkurs.api.problems import status_of
from konkurs.pages.applicant_form import material_refusal, media_names, megabytes
from konkurs.pages.rendering import blobs_of, page, services_of, sessions_of
from services.applicant_desk import ReadIntakeWindow
from services.konkurs import Konkurs

router = APIRouter(include_in_schema=False)
STATUS_NAMES = {
    SubmissionStatus.DRAFT: "черновик, не подана", SubmissionStatus.SUBMITTED: "подана, ждёт проверки",
    SubmissionStatus.ADMITTED: "допущена к конкурсу", SubmissionStatus.REJECTED: "отклонена",
    SubmissionStatus.WITHDRAWN: "отозвана", SubmissionStatus.PLACED: "допущена, оценена",
}


def applicant_of(request: Request) -> Actor:
    """The visitor's actor, if it is an applicant's: these pages act only for an applicant."""
    visitor = sessions_of(request).visitor(request)
    if visitor is None:
        raise Unauthenticated("sign in as an applicant to see this page")
    if visitor.actor is None or visitor.actor.kind != ActorKind.APPLICANT:
        who = visitor.actor.describe() if visitor.actor is not None else "a citizen"
        raise Forbidden(f"{who} is not an applicant: these pages are an applicant's own")
    return visitor.actor


def show_submission(request: Request, actor: Actor, slug: str, reference: str, status: int = 200,
                    errors: dict[str, str] | None = None, notice: str = "") -> Response:
    services = services_of(request)
    [record] = services.submission_reads.submissions(
        ReadSubmissions(actor=actor, slug=slug, reference=reference))
    contest = services.store.get_contest(slug)
    window = services.applicant_desk.intake_window(ReadIntakeWindow(slug=slug))
    limits = contest.spec.materials
    nomination = contest.spec.nomination(record.nomination)
    return page(
        request, "applicant_submission.html", status=status, title=f"Заявка {record.reference}",
        slug=slug, contest=contest.spec, record=record, window=window, errors=errors or {}, notice=notice,
        status_name=STATUS_NAMES.get(record.status, record.status),
        nomination_title=nomination.title if nomination else record.nomination,
        reason=in_russian(record.rejection_reason) if record.rejection_reason else "",
        place=record.place if contest.published else None, published=contest.published,
        # Files are taken while collection (or the materials gate) is open; the service says so.
        takes_files=record.status != SubmissionStatus.WITHDRAWN and contest.phase in MATERIAL_PHASES,
        limits=limits, media=", ".join(media_names(limits)), largest=megabytes(limits.max_bytes),
        accept=",".join(limits.media_types), megabytes=megabytes)


@router.post("/contests/{slug}/applications/{reference}/materials")
def attach(request: Request, slug: str, reference: str, csrf: Annotated[str, Form()],
           file: UploadFile | None = None) -> Response:
    sessions_of(request).check_csrf(request, csrf)
    actor = applicant_of(request)
    services = services_of(request)
    # Read first: a stranger's reference is refused before anything is stored.
    services.submission_reads.submissions(ReadSubmissions(actor=actor, slug=slug, reference=reference))
    if file is None or not file.filename:
        return show_submission(request, actor, slug, reference, status=422, errors={"file": "Выберите файл."})
    limits = services.store.get_contest(slug).spec.materials
    name = file.filename[:255]
    try:
        if file.size is not None:
            check_size(name, file.size, limits, f"submission {reference}")
        attached = _store_and_attach(request, services, actor, slug, reference, file, name)
    except KonkursError as refused:
        message = material_refusal(refused, limits)
        if message is not None:
            return show_submission(request, actor, slug, reference, status=422, errors={"file": message})
        return show_submission(request, actor, slug, reference, status=status_of(refused),
                               errors={"form": str(refused)})
    saved = "attached" if attached else "same-file"
    return RedirectResponse(f"/contests/{slug}/applications/{reference}?saved={saved}", status_code=303)


def _store_and_attach(request: Request, services: Konkurs, actor: Actor, slug: str, reference: str,
                      file: UploadFile, name: str) -> bool:
    blobs = blobs_of(request)
    sha256, size, new = blobs.put(file.file)
    material = Material(name=name, sha256=sha256, size=size,
                        media_type=file.content_type or "application/octet-stream")
    try:
        return services.submissions.attach_material(
            AttachMaterial(actor=actor, slug=slug, reference=reference, material=material)).applied
    except KonkursError:
        if new:  # refused: keep nothing of it
            blobs.remove(sha256)
        raise


@router.get("/contests/{slug}/applications/{reference}/materials/{sha256}")
def fetch(request: Request, slug: str, reference: str, sha256: str) -> Response:
    actor = applicant_of(request)
    [record] = services_of(request).submission_reads.submissions(
        ReadSubmissions(actor=actor, slug=slug, reference=reference))
    material = next((m for m in record.materials if m.sha256 == sha256), None)
    path = blobs_of(request).path(sha256) if material is not None else None
    if material is None or path is None or not path.exists():
        raise UnknownSubmission(f"submission {reference} has no file {sha256[:12]}…")
    return FileResponse(path, media_type=material.media_type, filename=material.name)
