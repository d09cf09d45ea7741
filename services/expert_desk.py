"""What an expert sees of a contest: their assignments with the cards recorded so far, and their
progress. Only the expert's own: the assignments come from the submission reads' rules."""

from __future__ import annotations

from domain.access import refuse
from domain.actors import ActorKind
from domain.aggregates import Review
from domain.commands.reads import Assignment, Progress, ReadAssignments, ReadSubmissions
from domain.ids import review_id
from services.submission_reads import SubmissionReads
from store.application import StoreApplication


class ExpertDesk:
    def __init__(self, store: StoreApplication, submissions: SubmissionReads) -> None:
        self.store = store
        self.submissions = submissions

    def assignments(self, query: ReadAssignments) -> list[Assignment]:
        actor = query.actor
        if actor.kind != ActorKind.EXPERT:
            raise refuse(actor, f"read assignments in {query.slug}", "only an expert has assignments")
        assigned = self.submissions.submissions(ReadSubmissions(actor=actor, slug=query.slug))
        desk = []
        for record in assigned:
            review: Review | None = self.store.existing(review_id(query.slug, record.reference, actor.id))
            desk.append(Assignment(submission=record, scored=review is not None,
                                   scores=None if review is None else dict(review.scores)))
        return desk

    def progress(self, query: ReadAssignments) -> Progress:
        desk = self.assignments(query)
        return Progress(expert=query.actor.id, assigned=len(desk), scored=sum(a.scored for a in desk),
                        open=[a.submission.reference for a in desk if not a.scored])
