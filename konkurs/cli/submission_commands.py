"""`konkurs submissions`: the submissions this command line's actor may read, and one in full."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.commands.intake import FileDraft
from domain.commands.reads import ReadSubmissions, SubmissionRecord
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say, table

Slug = Annotated[str, typer.Argument(help="The contest's slug, as in its spec.")]


def register(app: typer.Typer) -> None:
    app.command("submissions")(submissions)
    app.command("file")(file_draft)


def file_draft(
    slug: Slug,
    reference: Annotated[str, typer.Argument(help="The draft's reference.")],
    as_json: JsonFlag = False,
) -> None:
    """File a draft saved with `konkurs submit FILE --draft` while collection is open; where the
    contest screens on arrival, the answer is its screening outcome."""
    filed = runtime.services().submissions.file_draft(
        FileDraft(actor=runtime.actor(), slug=slug, reference=reference))
    if as_json:
        emit_json(filed.model_dump(mode="json"))
    elif filed.rejection_reason:
        say(f"Filed {reference}: rejected on arrival because {filed.rejection_reason}")
    else:
        say(f"Filed {reference}: {filed.status}")


def submissions(
    slug: Slug,
    reference: Annotated[
        str | None, typer.Argument(help="One submission's reference, to see it whole.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the submissions you may read: an operator or auditor every one, an applicant its own,
    an expert those assigned to them; with a REFERENCE, that submission with its screening
    outcome and reason. `konkurs whoami` says who you act as."""
    found = runtime.services().submission_reads.submissions(
        ReadSubmissions(actor=runtime.actor(), slug=slug, reference=reference))
    if as_json:
        emit_json([record.model_dump(mode="json") for record in found])
    elif reference:
        _show(found[0])
    else:
        say(table(f"{len(found)} submissions of {slug}", ["reference", "nomination", "title", "applicant",
                                                          "region", "status"],
                  [(r.reference, r.nomination, r.title, r.applicant.name, r.applicant.region, r.status.value)
                   for r in found]))


def _show(record: SubmissionRecord) -> None:
    applicant = record.applicant
    rows = [("nomination", record.nomination), ("title", record.title),
            ("applicant", f"{applicant.name} ({applicant.kind}, region {applicant.region})"),
            ("INN", applicant.inn or "-"), ("status", record.status.value)]
    if record.rejection_reason:
        rows.append(("rejected because", record.rejection_reason))
    if record.place:
        rows.append(("place", str(record.place)))
    if record.summary:
        rows.append(("summary", record.summary))
    say(table(f"Submission {record.reference}", ["", ""], rows, widest=80))
