"""Submissions as each reader may see them: operators and auditors every one, an applicant its
own (by INN), an expert those assigned to them. The one place these reads are decided, so the
CLI, the API and the pages show each reader the same."""

from __future__ import annotations

from domain.access import Stage, may_read_submission, refuse, require_reader
from domain.actors import ActorKind
from domain.aggregates import Submission
from domain.commands.reads import ReadSubmissions, SubmissionRecord
from domain.errors import UnknownSubmission
from domain.ids import submission_id
from services.judging_reads import JudgingReads
from store.application import StoreApplication


class SubmissionReads:
    def __init__(self, store: StoreApplication, reads: JudgingReads) -> None:
        self.store = store
        self.reads = reads

    def submissions(self, query: ReadSubmissions) -> list[SubmissionRecord]:
        """The submissions of a contest that `query.actor` may read, in reference order; with a
        reference, that one, or a refusal naming the missing right (an applicant or an expert
        is refused alike whether or not the reference exists)."""
        spec = self.store.get_contest(query.slug).spec
        stage, actor = Stage.of(spec), query.actor
        if actor.kind not in (ActorKind.APPLICANT, ActorKind.EXPERT):
            require_reader(actor, stage, "read submissions")
        assigned: dict[str, list[str]] = {}
        for judging in self.reads.judgings(spec).values():
            assigned.update(judging.assigned)
        if query.reference:
            references = [query.reference]
        elif actor.kind == ActorKind.EXPERT:
            # Only the assigned can be visible to an expert: the rest of a 5,000-entry contest is
            # never loaded.
            references = sorted(reference for reference, experts in assigned.items() if actor.id in experts)
        else:
            submitted = self.store.contest_events(query.slug, [Submission.Submitted])
            references = sorted(logged.state["reference"] for logged in submitted)
        visible = []
        for reference in references:
            submission: Submission | None = self.store.existing(submission_id(query.slug, reference))
            inn = submission.applicant.inn if submission else None
            if may_read_submission(actor, stage, inn, assigned.get(reference, [])):
                if submission is None:
                    raise UnknownSubmission(f"no submission {reference!r} in contest {query.slug}")
                visible.append(_record(submission))
            elif query.reference:
                raise refuse(actor, f"read submission {reference} of {query.slug}",
                             "it is neither theirs nor assigned to them")
        return visible


def _record(submission: Submission) -> SubmissionRecord:
    return SubmissionRecord(
        reference=submission.reference, nomination=submission.nomination, title=submission.title,
        applicant=submission.applicant, summary=submission.summary, status=submission.status,
        rejection_reason=submission.rejection_reason, place=submission.place,
        materials=list(submission.materials))
