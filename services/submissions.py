"""Intake: submissions, reviews and ballots, written straight to the log in atomic batches.

Nothing here passes through a workflow. A batch is checked whole before anything is
saved, so a bad row leaves the store untouched.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from domain.access import Stage, require_scorer, require_submitter
from domain.actors import Actor
from domain.aggregates import Applicant, Contest, IntakeKind, Judging, Review, Submission, SubmissionStatus
from domain.aggregates.judging import judging_id
from domain.aggregates.municipalities import UnknownMunicipality, roster_id
from domain.commands.intake import (
    Attached,
    AttachMaterial,
    Filed,
    FileDraft,
    RecordReviews,
    SubmissionForm,
    Submit,
)
from domain.commands.order import Recorded
from domain.errors import (
    DuplicateSubmission,
    InvalidCommand,
    KonkursError,
    NotAssigned,
    UnknownNomination,
    UnknownSubmission,
)
from domain.ids import review_id, submission_id
from domain.phases import MATERIAL_PHASES, Phase
from domain.regions import REGION_CODES, region_name
from domain.rules.lengths import check_lengths
from domain.rules.materials import check_material
from domain.rules.nominees import nominee_refusal
from domain.rules.scoring import check_scorecard
from services.acceptances import Acceptances
from services.conclusions import screen_on_arrival
from store.application import StoreApplication
from store.ballots import insert_new
from store.log import collector_paused

DECISIONS = (Submission.Admitted, Submission.Rejected)


class _AlreadyRecorded(Exception):
    """Some ids of a batch are in the log: nothing was written, the batch goes the slow way."""

    def __init__(self, keys: set[str]) -> None:
        super().__init__(f"{len(keys)} already recorded")
        self.keys = keys


class SubmissionService:
    """Submissions and experts' scorecards, written straight to the log in atomic batches."""

    def __init__(self, store: StoreApplication, acceptances: Acceptances) -> None:
        self.store = store
        self.acceptances = acceptances

    def submit(self, order: Submit) -> Recorded:
        """Record submissions labelled by where they came from (a file, a CSV row); with
        `order.draft`, save them as drafts, not filed.

        Every row is checked first; then one transaction, holding the writer lock, looks up
        which ids the log already has and inserts the rest: the file is recorded whole or not
        at all, whatever other writers do meanwhile. Rows naming drafts already saved revise
        them (and file them, unless `order.draft`), through the aggregates."""
        contest = self.store.open_contest(order.slug, Phase.COLLECTING, "submissions")
        require_submitter(order.actor, Stage.of(contest.spec),
                          (form.applicant.inn for _, form in order.forms))
        with collector_paused():
            batch = self._checked_forms(contest, order)
            fresh = [self._new(contest, order, form) for _, form in batch.values()]
            # Mapped before the writer lock is taken: sealing a person's particulars writes their key.
            accepted = self._accepted(contest, IntakeKind.SUBMISSIONS, fresh, order.actor)

            def refuse_recorded(existing: set[str]) -> list[StoredEvent]:
                if existing:
                    raise _AlreadyRecorded(existing)
                return accepted

            try:
                insert_new(self.store.dialect, list(batch), refuse_recorded)
            except _AlreadyRecorded as found:
                return self._revise_drafts(contest, order, batch, found.keys)
            except IntegrityError:
                raise KonkursError("some submissions were recorded concurrently by another "
                                   "writer; nothing was saved, run the import again") from None
        return Recorded(recorded=len(batch))

    def file_draft(self, order: FileDraft) -> Filed:
        """File a saved draft while collection is open: from now on it is a submission, screened
        at once when the spec screens on arrival."""
        contest = self.store.open_contest(order.slug, Phase.COLLECTING, "submissions")
        submission: Submission | None = self.store.existing(submission_id(order.slug, order.reference))
        owner = submission.applicant.inn if submission else order.actor.scope.inn
        require_submitter(order.actor, Stage.of(contest.spec), [owner])
        if submission is None:
            raise UnknownSubmission(f"no submission {order.reference!r} in contest {order.slug}")
        submission.file()
        screen_on_arrival(contest.spec, [submission])
        self.store.insert_stored(
            self._accepted(contest, IntakeKind.SUBMISSIONS, [submission], order.actor), "submissions")
        return Filed(reference=order.reference, status=submission.status.value,
                     rejection_reason=submission.rejection_reason)

    def _checked_forms(self, contest: Contest, order: Submit) -> dict[str, tuple[str, SubmissionForm]]:
        """The forms by submission id, each checked against the contest; a bad one refuses all."""
        slug, spec = order.slug, contest.spec
        nominations = {n.code for n in spec.nominations}
        rosters: dict[str, frozenset[str] | None] = {}
        batch: dict[str, tuple[str, SubmissionForm]] = {}
        for where, form in order.forms:
            if form.nomination not in nominations:
                raise UnknownNomination(f"{where}: unknown nomination {form.nomination!r} in contest {slug}")
            applicant = form.applicant
            if applicant.region not in REGION_CODES:
                raise KonkursError(f"{where}: unknown region code {applicant.region!r}")
            self._check_municipality(applicant, rosters, where)
            check_lengths(form, spec.limits, where)
            nominee_problem = nominee_refusal(spec.nomination(form.nomination), applicant, form.nominee)
            if nominee_problem:
                raise InvalidCommand(f"{where}: {nominee_problem}")
            key = submission_id(slug, form.reference).hex
            if key in batch:
                raise DuplicateSubmission(f"{where}: submission {form.reference} already exists")
            batch[key] = (where, form)
        return batch

    @staticmethod
    def _new(contest: Contest, order: Submit, form: SubmissionForm) -> Submission:
        # dict(form), not model_dump(): the applicant stays validated, not checked twice.
        submission = Submission(contest=order.slug, draft=order.draft, **dict(form))
        screen_on_arrival(contest.spec, [submission])
        return submission

    def _revise_drafts(
        self, contest: Contest, order: Submit, batch: dict[str, tuple[str, SubmissionForm]],
        existing: set[str],
    ) -> Recorded:
        """The batch again, through the aggregates: a row naming a saved draft of the same
        applicant revises it (and files it unless this too is a draft); any other recorded
        reference refuses the whole batch."""
        stage = Stage.of(contest.spec)
        submissions: list[Submission] = []
        for key, (where, form) in batch.items():
            if key not in existing:
                submissions.append(self._new(contest, order, form))
                continue
            draft: Submission | None = self.store.existing(UUID(key))
            if draft is None or not draft.is_draft:
                raise DuplicateSubmission(f"{where}: submission {form.reference} already exists")
            require_submitter(order.actor, stage, [draft.applicant.inn])
            revised = draft.revise(form.nomination, form.title, form.applicant, form.summary, form.conditions,
                                   form.nominee)
            if not order.draft:
                draft.file()
                screen_on_arrival(contest.spec, [draft])
            if revised or not order.draft:  # the draft as it stands, saved again, records nothing
                submissions.append(draft)
        if submissions:
            self.store.insert_stored(
                self._accepted(contest, IntakeKind.SUBMISSIONS, submissions, order.actor), "submissions")
        return Recorded(recorded=len(submissions))

    def attach_material(self, order: AttachMaterial) -> Attached:
        """Record a file attached to a submission while collection is open: by its applicant (or
        an operator), within the spec's limits. The file itself is stored by content beforehand;
        the log records its SHA-256, size and media type."""
        contest = self.store.open_contest(order.slug, MATERIAL_PHASES, "materials")
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
            phase = MATERIAL_PHASES if kind == IntakeKind.MATERIALS else contest.phase
            contest.takes(phase, kind.value, max(e.timestamp for e in stamped))
        # Decisions made on arrival are screening's, not intake: they follow the acceptance,
        # in the same transaction, outside what it signs.
        decided = [e for e in stamped if isinstance(e, DECISIONS)]
        events = [self.store.mapper.to_stored_event(e) for e in stamped if not isinstance(e, DECISIONS)]
        record = self.acceptances.record(contest.slug, kind, events, actor)
        return [*events, *self.store.stored([record], actor),
                *(self.store.mapper.to_stored_event(e) for e in decided)]

    def _admitted_submission(self, slug: str, reference: str, where: str) -> Submission:
        submission = self.store.existing(submission_id(slug, reference))
        if submission is None:
            raise UnknownSubmission(f"{where}: no submission {reference!r} in contest {slug}")
        if submission.status != SubmissionStatus.ADMITTED:
            raise UnknownSubmission(f"{where}: submission {reference} is {submission.status}")
        return submission  # type: ignore[no-any-return]
