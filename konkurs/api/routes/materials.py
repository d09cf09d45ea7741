"""Submissions' files: an applicant attaches them while collection is open, within the spec's
limits; whoever may read the submission may fetch them. Files are stored by content and the log
records each one's SHA-256, size and media type."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, UploadFile
from fastapi.responses import FileResponse

from domain.aggregates import Material
from domain.commands.intake import Attached, AttachMaterial
from domain.commands.reads import ReadSubmissions
from domain.errors import KonkursError, UnknownSubmission
from domain.rules.materials import check_size
from konkurs.api.context import Caller, Context
from konkurs.blobs import Blobs

router = APIRouter(tags=["submissions"])

Sha256 = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="The file's SHA-256, hex")]


@router.post("/contests/{slug}/submissions/{reference}/materials", status_code=201,
             summary="Attach a file to a submission (multipart field `file`)")
def attach(slug: str, reference: str, file: UploadFile, context: Context, actor: Caller) -> Attached:
    name = (file.filename or "file")[:255]
    if file.size is not None:  # refused before it is stored; the service checks again
        check_size(name, file.size, context.services.store.get_contest(slug).spec.materials,
                   f"submission {reference}")
    blobs = Blobs(context.boot.settings.materials_path)
    sha256, size, new = blobs.put(file.file)
    material = Material(name=name, sha256=sha256, size=size,
                        media_type=file.content_type or "application/octet-stream")
    try:
        return context.services.submissions.attach_material(
            AttachMaterial(actor=actor, slug=slug, reference=reference, material=material))
    except KonkursError:
        if new:  # refused: keep nothing of it
            blobs.remove(sha256)
        raise


@router.get("/contests/{slug}/submissions/{reference}/materials/{sha256}",
            response_class=FileResponse, responses={200: {"content": {"application/octet-stream": {}}}},
            summary="Fetch a submission's file (whoever may read the submission)")
def fetch(slug: str, reference: str, sha256: Sha256, context: Context, actor: Caller) -> FileResponse:
    [record] = context.services.submission_reads.submissions(
        ReadSubmissions(actor=actor, slug=slug, reference=reference))
    material = next((m for m in record.materials if m.sha256 == sha256), None)
    path = Blobs(context.boot.settings.materials_path).path(sha256)
    if material is None or not path.exists():
        raise UnknownSubmission(f"submission {reference} has no file {sha256[:12]}…")
    return FileResponse(path, media_type=material.media_type, filename=material.name)
