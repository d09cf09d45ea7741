"""Orders of the judging: the roster, recusals, reminders and a nomination's ranking."""

from __future__ import annotations

from datetime import datetime

from domain.aggregates import ExpertProfile
from domain.commands.order import Command, Order


class EnrollExperts(Command):
    slug: str
    profiles: list[tuple[str, ExpertProfile]]


class Recuse(Command):
    slug: str
    submission: str
    expert: str
    reason: str


class Reassigned(Order):
    experts: list[str]


class RemindExperts(Command):
    slug: str
    nomination: str
    closes_at: datetime
    command_id: str


class ConcludeNomination(Command):
    slug: str
    nomination: str
    command_id: str
