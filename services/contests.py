"""Contest commands: announcement, phase changes, extensions, cancellation, and promotion
between stages. Each is idempotent by command id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.access import Stage, require_operator, require_reader
from domain.actors import Actor
from domain.aggregates import Announcement, Contest, Submission
from domain.aggregates.submission import Provenance
from domain.commands.contest import (
    Announce,
    ReceivePromotion,
    RecordCancellation,
    RecordExtension,
    RecordPhaseChange,
    SettlePromotion,
)
from domain.commands.order import CommandResult
from domain.errors import ContestAlreadyAnnounced, InvalidCommand, UnknownContest, UnknownNomination
from domain.ids import submission_id
from domain.phases import check_extension
from domain.promotion import PromotedEntry, PromotionBatch
from domain.rules.letters import render_letters
from domain.rules.stages import advancing, promoted_reference
from store.application import StoreApplication


class ContestService:
    def __init__(self, store: StoreApplication) -> None:
        self.store = store

    def require_reader(self, actor: Actor, slug: str, right: str) -> None:
        """Whether `actor` may read the whole of a contest (its board, its running tally): its
        operators and auditors may; what anyone may read (results) needs no check."""
        require_reader(actor, Stage.of(self.store.get_contest(slug).spec), right)

    def announce(self, order: Announce) -> CommandResult:
        """Record the announcement and its letters in one transaction; the same command again
        is a no-op, another one an error."""
        spec, plan, command_id = order.spec, order.plan, order.command_id
        require_operator(order.actor, Stage.of(spec), "announce contests")
        if self._announced_by(spec.slug, command_id):
            return CommandResult(applied=False)
        contest = Contest(
            slug=spec.slug, spec=spec.model_dump(mode="json"), fingerprint=spec.fingerprint(),
            plan=plan, command_id=command_id,
        )
        letters = [
            Announcement(contest=spec.slug, addressee=letter.addressee, subject=letter.subject,
                         text=letter.text, command_id=command_id)
            for letter in render_letters(spec, plan)
        ]
        try:
            self.store.save(contest, *letters, actor=order.actor)
        except IntegrityError:
            if self._announced_by(spec.slug, command_id):
                return CommandResult(applied=False)
            raise
        return CommandResult(applied=True)

    def _announced_by(self, slug: str, command_id: str) -> bool:
        """Whether this command announced the contest; False if nobody has, an error if another
        command did."""
        try:
            existing = self.store.get_contest(slug)
        except UnknownContest:
            return False
        if existing.has_applied(command_id):
            return True
        raise ContestAlreadyAnnounced(f"contest {slug} is already announced")

    def change_phase(self, order: RecordPhaseChange) -> CommandResult:
        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, f"close {order.closed}")
            contest.change_phase(order.closed, cause=order.cause, reason=order.reason,
                                 command_id=order.command_id)
            return ()

        return self.store.run_contest_command(order.slug, order.command_id, order.actor, act)

    def extend_deadline(self, order: RecordExtension) -> CommandResult:
        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "extend deadlines")
            check_extension(contest.plan, contest.phase, order.phase, order.closes_at)
            contest.extend_deadline(order.phase, order.closes_at, reason=order.reason,
                                    command_id=order.command_id)
            return ()

        return self.store.run_contest_command(order.slug, order.command_id, order.actor, act)

    def cancel(self, order: RecordCancellation) -> CommandResult:
        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "cancel the contest")
            contest.cancel(reason=order.reason, command_id=order.command_id)
            return ()

        return self.store.run_contest_command(order.slug, order.command_id, order.actor, act)

    def promotion_batch(self, slug: str) -> PromotionBatch:
        """The published winners of a regional stage that its promotion rule advances."""
        contest = self.store.get_contest(slug)
        promotion = contest.spec.promotion
        if promotion is None:
            raise InvalidCommand(f"contest {slug} names no federal stage to promote to")
        if not contest.published or contest.results is None:
            raise InvalidCommand(f"contest {slug} has not published its results yet")
        reviews = {
            entry.reference: entry.reviews
            for ranking in (contest.judging.rankings if contest.judging else [])
            for entry in ranking.entries
        }
        entries = []
        for standing in advancing(contest.results, promotion.places):
            submission: Submission = self.store.repository.get(submission_id(slug, standing.reference))
            entries.append(PromotedEntry(
                reference=promoted_reference(contest.spec.region, standing.reference),
                nomination=standing.nomination, title=submission.title,
                applicant=submission.applicant, summary=submission.summary,
                provenance=Provenance(
                    stage=slug, region=contest.spec.region, reference=standing.reference,
                    place=standing.place, score=standing.score,
                    reviews=reviews.get(standing.reference, 0),
                ),
            ))
        return PromotionBatch(stage=slug, region=contest.spec.region, federal=promotion.federal,
                              entries=entries)

    def receive_promotion(self, order: ReceivePromotion) -> CommandResult:
        """Enter the promoted submissions into the federal stage, once per command id.

        Log order decides, as for any submission: once the federal stage's collection has
        closed, the contest refuses the promotion and nothing is written.
        """
        federal, batch, command_id = order.federal, order.batch, order.command_id

        def act(contest: Contest) -> Iterable[Any]:
            spec = contest.spec
            contest.require_operator(order.actor, "take promoted winners")
            for entry in batch.entries:
                if spec.nomination(entry.nomination) is None:
                    raise UnknownNomination(
                        f"nomination {entry.nomination} of {batch.stage} is not in the federal "
                        f"stage {federal}"
                    )
            contest.receive_promotion(batch.stage, batch.region,
                                      [e.reference for e in batch.entries], command_id)
            return [
                Submission(contest=federal, reference=e.reference, nomination=e.nomination,
                           title=e.title, applicant=e.applicant, summary=e.summary,
                           provenance=e.provenance)
                for e in batch.entries
            ]

        return self.store.run_contest_command(federal, command_id, order.actor, act)

    def settle_promotion(self, order: SettlePromotion) -> CommandResult:
        """Record on the regional stage whether its federal stage took its winners, and why not."""
        def act(contest: Contest) -> Iterable[Any]:
            contest.require_operator(order.actor, "promote winners")
            if order.refusal is None:
                contest.record_promotion(order.federal, order.references, order.command_id)
            else:
                contest.record_promotion_refused(order.federal, order.refusal, order.command_id)
            return ()

        return self.store.run_contest_command(order.slug, order.command_id, order.actor, act)
