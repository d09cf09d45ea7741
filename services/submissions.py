"""Intake: submissions, reviews and ballots, written straight to the log in atomic batches.

Nothing here passes through a workflow. A batch is checked whole before anything is
saved, so a bad row leaves the store untouched.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.access import Stage, require_scorer, require_submitter
from domain.actors import Actor
from domain.aggregates import Applicant, Contest, IntakeKind, Judging, Review, Submission, SubmissionStatus
from domain.aggregates.judging import judging_id
from domain.aggregates.municipalities import UnknownMunicipality, roster_id
from domain.commands.intake import Attached, AttachMaterial, RecordReviews, Submit
from domain.commands.order import Recorded
from domain.errors import (
    DuplicateSubmission,
    KonkursError,
    NotAssigned,
    UnknownNomination,
    UnknownSubmission,
)
from domain.ids import review_id, submission_id
from domain.phases import Phase
from domain.regions import REGION_CODES, region_name
from domain.rules.materials import check_material
from domain.rules.scoring import check_scorecard
from services.acceptances import Acceptances
from store.application import StoreApplication
from store.ballots import insert_new
from store.log import collector_paused


class SubmissionService:
    """Submissions and experts' scorecards, written straight to the log in atomic batches."""

    def __init__(self, store: StoreApplication, acceptances: Acceptances) -> None:
        self.store = store
        self.acceptances = acceptances

    def submit(self, order: Submit) -> Recorded:
        """Record submissions labelled by where they came from (a file, a CSV row).

        Every row is checked first; then one transaction, holding the writer lock, looks up
        which ids the log already has and inserts the rest: the file is recorded whole or not
        at all, whatever other writers do meanwhile."""
        slug, forms = order.slug, order.forms
        contest = self.store.open_contest(slug, Phase.COLLECTING, "submissions")
        spec = contest.spec
        require_submitter(order.actor, Stage.of(spec), (form.applicant.inn for _, form in forms))
        nominations = {n.code for n in spec.nominations}
        rosters: dict[str, frozenset[str] | None] = {}
        batch: dict[str, tuple[str, Submission]] = {}

        def refuse_recorded(existing: set[str]) -> list[StoredEvent]:
            for key, (where, submission) in batch.items():
                if key in existing:
                    raise DuplicateSubmission(
                        f"{where}: submission {submission.reference} already exists")
            return accepted

        with collector_paused():
            for where, form in forms:
                if form.nomination not in nominations:
                    raise UnknownNomination(
                        f"{where}: unknown nomination {form.nomination!r} in contest {slug}"
                    )
                applicant = form.applicant
                if applicant.region not in REGION_CODES:
                    raise KonkursError(f"{where}: unknown region code {applicant.region!r}")
                self._check_municipality(applicant, rosters, where)
                # dict(form), not model_dump(): the applicant stays validated, not checked twice.
                submission = Submission(contest=slug, **dict(form))
                key = submission.id.hex
                if key in batch:
                    raise DuplicateSubmission(f"{where}: submission {form.reference} already exists")
                batch[key] = (where, submission)
            # Mapped before the writer lock is taken: sealing a person's particulars writes their key.
            accepted = self._accepted(contest, IntakeKind.SUBMISSIONS,
                                      [submission for _, submission in batch.values()], order.actor)
            try:
                insert_new(self.store.dialect, list(batch), refuse_recorded)
            except IntegrityError:
                raise KonkursError("some submissions were recorded concurrently by another "
                                   "writer; nothing was saved, run the import again") from None
        return Recorded(recorded=len(batch))

    def attach_material(self, order: AttachMaterial) -> Attached:
        """Record a file attached to a submission while collection is open: by its applicant (or
        an operator), within the spec's limits. The file itself is stored by content beforehand;
        the log records its SHA-256, size and media type."""
        contest = self.store.open_contest(order.slug, Phase.COLLECTING, "materials")
        submission: Submission | None = self.store.existing(submission_id(order.slug, order.reference))
        stage = Stage.of(contest.spec)
        owner = submission.applicant.inn if submission else order.actor.scope.inn
        require_submitter(order.actor, stage, [owner])
        if submission is None:
            raise UnknownSubmission(f"no submission {order.reference!r} in contest {order.slug}")
        where = f"submission {order.reference}"
        check_material(order.material, contest.spec.materials, len(submission.materials), where)
        applied = submission.attach(order.material)
        if applied:
            self.store.insert_stored(
                self._accepted(contest, IntakeKind.MATERIALS, [submission], order.actor), "materials")
        return Attached(reference=order.reference, material=order.material, applied=applied)

    def _check_municipality(
        self, applicant: Applicant, rosters: dict[str, frozenset[str] | None], where: str
    ) -> None:
        """Once a region's roster is imported, a submission must name one of its municipalities."""
        if applicant.municipality is None:
            return
        region = applicant.region
        if region not in rosters:
            roster = self.store.existing(roster_id(region))
            rosters[region] = None if roster is None else frozenset(roster.names)
        known = rosters[region]
        if known is not None and applicant.municipality not in known:
            raise UnknownMunicipality(
                f"{where}: municipality {applicant.municipality} is not on the roster of "
                f"{region_name(region) or region} ({region}); check the OKTMO code or import "
                "the roster again with `konkurs import municipalities`"
            )

    def record_reviews(self, order: RecordReviews) -> Recorded:
        slug, forms = order.slug, order.forms
        contest = self.store.open_contest(slug, Phase.JUDGING, "reviews")
        for _, form in forms:
            require_scorer(order.actor, slug, form.expert)
        criteria = contest.spec.judging.criteria
        batch: dict[Any, Review] = {}
        judgings: dict[str, Judging | None] = {}
        for where, form in forms:
            submission = self._admitted_submission(slug, form.submission, where)
            nomination = submission.nomination
            if nomination not in judgings:
                judgings[nomination] = self.store.existing(judging_id(slug, nomination))
            judging = judgings[nomination]
            if judging is None or not judging.is_assigned(form.submission, form.expert):
                raise NotAssigned(
                    f"{where}: expert {form.expert} is not assigned to submission {form.submission}"
                )
            check_scorecard(form.scores, criteria, where)
            key = review_id(slug, form.submission, form.expert)
            review = batch.get(key) or self.store.existing(key)
            if review is None:
                review = Review(
                    contest=slug, submission=form.submission, nomination=submission.nomination,
                    expert=form.expert, scores=form.scores,
                )
            elif review.scores == form.scores:
                continue  # the card as it stands: a resent form revises nothing
            else:
                review.rescore(scores=form.scores)
            batch[key] = review
        if batch:
            self.store.insert_stored(
                self._accepted(contest, IntakeKind.CARDS, list(batch.values()), order.actor), "reviews")
        return Recorded(recorded=len(batch))

    def _accepted(
        self, contest: Contest, kind: IntakeKind, aggregates: list[Any], actor: Actor
    ) -> list[StoredEvent]:
        """The aggregates' new events, then the signed acceptance that covers them.

        The events are stamped after the deadline check that opened the command; one stamped at
        or after the deadline is refused too, so the log never holds an entry its deadline
        had passed for."""
        stamped = self.store.stamped(aggregates, actor)
        if stamped:
            contest.takes(contest.phase, kind.value, max(e.timestamp for e in stamped))
        events = [self.store.mapper.to_stored_event(e) for e in stamped]
        record = self.acceptances.record(contest.slug, kind, events, actor)
        return [*events, *self.store.stored([record], actor)]

    def _admitted_submission(self, slug: str, reference: str, where: str) -> Submission:
        submission = self.store.existing(submission_id(slug, reference))
        if submission is None:
            raise UnknownSubmission(f"{where}: no submission {reference!r} in contest {slug}")
        if submission.status != SubmissionStatus.ADMITTED:
            raise UnknownSubmission(f"{where}: submission {reference} is {submission.status}")
        return submission  # type: ignore[no-any-return]
