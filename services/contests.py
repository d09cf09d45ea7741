"""Contest commands: announcement, phase changes, extensions, cancellation, and promotion
between stages. Each is idempotent by command id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.access import Stage, require_operator, require_reader
from domain.actors import Actor
from domain.aggregates import Announcement, Contest, Submission
from domain.commands.contest import (
    Announce,
    ReceivePromotion,
    RecordCancellation,
    RecordExtension,
    RecordPhaseChange,
    SettlePromotion,
)
from domain.commands.order import CommandResult
from domain.errors import ContestAlreadyAnnounced, UnknownContest, UnknownNomination
from domain.phases import check_extension
from domain.promotion import PromotionBatch
from domain.rules.letters import render_letters
from services.promotions import promotion_batch, verify_promotion
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
                         text=letter.text, command_id=command_id, particulars=letter.particulars)
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
        return promotion_batch(self.store, slug)

    def receive_promotion(self, order: ReceivePromotion) -> CommandResult:
        """Enter a regional stage's winners into the federal stage, if they are what its sealed
        results promote (`verify_promotion`).

        A stage promotes once: the same entries again are answered as applied before, others
        are refused naming both, whatever their command id. Log order decides, as for any
        submission: once the federal stage's collection has closed, the contest refuses the
        promotion and nothing is written.
        """
        federal, batch, command_id = order.federal, order.batch, order.command_id
        references = [e.reference for e in batch.entries]
        contest = self.store.get_contest(federal)
        contest.require_operator(order.actor, "take promoted winners")
        taken = contest.promotion_taken(batch.stage, references)
        verify_promotion(self.store, federal, batch)
        if taken:
            return CommandResult(applied=False)

        def act(contest: Contest) -> Iterable[Any]:
            for entry in batch.entries:
                if contest.spec.nomination(entry.nomination) is None:
                    raise UnknownNomination(
                        f"nomination {entry.nomination} of {batch.stage} is not in the federal "
                        f"stage {federal}"
                    )
            contest.receive_promotion(batch.stage, batch.region, references, command_id)
            return [
                Submission(contest=federal, reference=e.reference, nomination=e.nomination,
                           title=e.title, applicant=e.applicant, summary=e.summary,
                           provenance=e.provenance, nominee=e.nominee)
                for e in batch.entries
            ]

        result = self.store.run_contest_command(federal, command_id, order.actor, act)
        if not result.applied:  # recorded meanwhile under this command id: refused unless the same entries
            self.store.get_contest(federal).promotion_taken(batch.stage, references)
        return result

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
