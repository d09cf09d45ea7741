"""Submissions: applicants file and read their own; experts read those assigned to them;
operators and auditors read them all. Every rule is the services'."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from domain.commands.intake import FileDraft, SubmissionForm, Submit
from domain.commands.reads import ReadSubmissions, SubmissionRecord
from domain.errors import DuplicateSubmission, KonkursError
from konkurs.api.context import Caller, Context

router = APIRouter(tags=["submissions"])

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200,
    description="The same key again answers as the first time and records nothing more")]


DraftFlag = Annotated[bool, Query(
    description="Save it as a draft, not filed; the same reference again revises the draft, and "
    "without this flag files it")]


@router.post("/contests/{slug}/submissions", status_code=201,
             summary="File a submission, or save a draft (an applicant under its own INN, or an operator)")
def file_submission(
    slug: str, form: SubmissionForm, context: Context, actor: Caller, response: Response,
    idempotency_key: IdempotencyKey = None, draft: DraftFlag = False,
) -> SubmissionRecord:
    services = context.services
    try:
        services.submissions.submit(Submit(actor=actor, slug=slug, forms=[("this request", form)],
                                           draft=draft))
    except DuplicateSubmission:
        # The reference names the submission: a retry of the same request finds it recorded as
        # sent and hears the first answer; anything else is a conflict.
        first = _own(context, actor, slug, form.reference)
        if idempotency_key is None or first is None or not _same(first, form):
            raise
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
        return first
    return _read(context, actor, slug, form.reference)


@router.post("/contests/{slug}/submissions/{reference}/filing",
             summary="File a saved draft; where the contest screens on arrival, the answer has its outcome")
def file_draft(slug: str, reference: str, context: Context, actor: Caller) -> SubmissionRecord:
    context.services.submissions.file_draft(FileDraft(actor=actor, slug=slug, reference=reference))
    return _read(context, actor, slug, reference)


@router.get("/contests/{slug}/submissions",
            summary="The submissions the caller may read: its own, its assigned, or all")
def read_submissions(slug: str, context: Context, actor: Caller) -> list[SubmissionRecord]:
    return context.services.submission_reads.submissions(ReadSubmissions(actor=actor, slug=slug))


@router.get("/contests/{slug}/submissions/{reference}",
            summary="One submission with its screening outcome and reason")
def read_submission(slug: str, reference: str, context: Context, actor: Caller) -> SubmissionRecord:
    return _read(context, actor, slug, reference)


def _read(context: Context, actor: Caller, slug: str, reference: str) -> SubmissionRecord:
    found = context.services.submission_reads.submissions(
        ReadSubmissions(actor=actor, slug=slug, reference=reference))
    return found[0]


def _own(context: Context, actor: Caller, slug: str, reference: str) -> SubmissionRecord | None:
    try:
        return _read(context, actor, slug, reference)
    except KonkursError:
        return None


def _same(record: SubmissionRecord, form: SubmissionForm) -> bool:
    return (record.nomination, record.title, record.applicant, record.summary) == (
        form.nomination, form.title, form.applicant, form.summary)
