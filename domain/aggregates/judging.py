"""The judging of one nomination: who reviews what, recusals, reminders and the ranking."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from domain.errors import InvalidCommand
from domain.ids import business_id
from domain.model import Aggregate, Value
from domain.outcomes import NominationRanking
from domain.rules.assignment import Conflict, Shortfall


class Pair(Value):
    submission: str
    expert: str


class Reminder(Value):
    expert: str
    open_cards: list[str]


def judging_id(slug: str, nomination: str) -> Any:
    return business_id("judging", slug, nomination)


class Judging(Aggregate):
    if TYPE_CHECKING:  # the @event decorators below create these classes
        Opened: ClassVar[type[Aggregate.Event]]
        Assigned: ClassVar[type[Aggregate.Event]]
        Recused: ClassVar[type[Aggregate.Event]]
        ExpertsReminded: ClassVar[type[Aggregate.Event]]
        Concluded: ClassVar[type[Aggregate.Event]]

    @event("Opened")
    def __init__(self, contest: str, nomination: str, seed: str) -> None:
        self.contest = contest
        self.nomination = nomination
        self.seed = seed
        self.assigned: dict[str, list[str]] = {}
        self.recused: dict[str, list[str]] = {}
        self.conflicts: dict[tuple[str, str], str] = {}
        self.shortfalls: dict[str, Shortfall] = {}
        self.commands: set[str] = set()
        self.ranking: NominationRanking | None = None

    @staticmethod
    def create_id(contest: str, nomination: str, **_: Any) -> Any:
        return judging_id(contest, nomination)

    def has_applied(self, command_id: str) -> bool:
        return command_id in self.commands

    def is_assigned(self, submission: str, expert: str) -> bool:
        return expert in self.assigned.get(submission, [])

    def load(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for experts in self.assigned.values():
            for expert in experts:
                counts[expert] = counts.get(expert, 0) + 1
        return counts

    @event("Assigned")
    def assign(
        self, pairs: list[Pair], conflicts: list[Conflict], shortfalls: list[Shortfall],
        command_id: str,
    ) -> None:
        for pair in pairs:
            self.assigned.setdefault(pair.submission, []).append(pair.expert)
            self.shortfalls.pop(pair.submission, None)
        for shortfall in shortfalls:
            self.shortfalls[shortfall.submission] = shortfall
        for conflict in conflicts:
            self.conflicts[conflict.submission, conflict.expert] = conflict.reason
        self.commands.add(command_id)

    def recuse(self, submission: str, expert: str, reason: str) -> None:
        if self.ranking is not None:
            raise InvalidCommand(f"judging of {self.nomination} is concluded; no recusal now")
        if not self.is_assigned(submission, expert):
            raise InvalidCommand(f"expert {expert} is not assigned to submission {submission}")
        if not reason.strip():
            raise InvalidCommand("a recusal needs a reason")
        self._recused(submission=submission, expert=expert, reason=reason)

    @event("Recused")
    def _recused(self, submission: str, expert: str, reason: str) -> None:
        self.assigned[submission].remove(expert)
        self.recused.setdefault(submission, []).append(expert)

    @event("ExpertsReminded")
    def remind(self, closes_at: str, reminders: list[Reminder], command_id: str) -> None:
        self.commands.add(command_id)

    @event("Concluded")
    def conclude(self, ranking: NominationRanking, command_id: str) -> None:
        self.ranking = ranking
        self.commands.add(command_id)
