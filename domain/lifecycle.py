"""Contest commands that move a contest through its phases. Each is idempotent by command id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from eventsourcing.persistence import IntegrityError

from domain.aggregates import Announcement, Contest
from domain.application import StoreApplication
from domain.errors import ContestAlreadyAnnounced, UnknownContest
from domain.phases import Phase, PhasePlan, check_extension
from domain.rules.letters import render_letters
from domain.spec import ContestSpec


class LifecycleCommands(StoreApplication):
    def announce(self, spec: ContestSpec, plan: PhasePlan, command_id: str) -> bool:
        """Record the announcement and its letters in one transaction; the same command again
        is a no-op, another one an error."""
        if self._announced_by(spec.slug, command_id):
            return False
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
            self.save(contest, *letters)
        except IntegrityError:
            if self._announced_by(spec.slug, command_id):
                return False
            raise
        return True

    def _announced_by(self, slug: str, command_id: str) -> bool:
        """Whether this command announced the contest; False if nobody has, an error if another
        command did."""
        try:
            existing = self.get_contest(slug)
        except UnknownContest:
            return False
        if existing.has_applied(command_id):
            return True
        raise ContestAlreadyAnnounced(f"contest {slug} is already announced")

    def change_phase(
        self, slug: str, closed: Phase, cause: str, reason: str, command_id: str
    ) -> bool:
        def act(contest: Contest) -> Iterable[Any]:
            contest.change_phase(closed, cause=cause, reason=reason, command_id=command_id)
            return ()

        return self.run_contest_command(slug, command_id, act)

    def extend_deadline(
        self, slug: str, phase: Phase, closes_at: datetime, reason: str, command_id: str
    ) -> bool:
        def act(contest: Contest) -> Iterable[Any]:
            check_extension(contest.plan, contest.phase, phase, closes_at)
            contest.extend_deadline(phase, closes_at, reason=reason, command_id=command_id)
            return ()

        return self.run_contest_command(slug, command_id, act)

    def cancel(self, slug: str, reason: str, command_id: str) -> bool:
        def act(contest: Contest) -> Iterable[Any]:
            contest.cancel(reason=reason, command_id=command_id)
            return ()

        return self.run_contest_command(slug, command_id, act)

