"""Orders of the judging: the roster, recusals, reminders and a nomination's ranking."""

from __future__ import annotations

from datetime import datetime

from domain.aggregates import ExpertProfile
from domain.commands.order import Order


class EnrollExperts(Order):
    slug: str
    profiles: list[tuple[str, ExpertProfile]]


class Recuse(Order):
    slug: str
    submission: str
    expert: str
    reason: str


class Reassigned(Order):
    experts: list[str]


class RemindExperts(Order):
    slug: str
    nomination: str
    closes_at: datetime
    command_id: str


class ConcludeNomination(Order):
    slug: str
    nomination: str
    command_id: str
