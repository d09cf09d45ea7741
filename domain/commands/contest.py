"""Orders that move a contest through its life and between its stages."""

from __future__ import annotations

from datetime import datetime

from domain.commands.order import Command
from domain.phases import Phase, PhasePlan
from domain.promotion import PromotionBatch
from domain.spec import ContestSpec


class Announce(Command):
    spec: ContestSpec
    plan: PhasePlan
    command_id: str


class RecordPhaseChange(Command):
    slug: str
    closed: Phase
    cause: str
    reason: str
    command_id: str


class RecordExtension(Command):
    slug: str
    phase: Phase
    closes_at: datetime
    reason: str
    command_id: str


class RecordCancellation(Command):
    slug: str
    reason: str
    command_id: str


class ReceivePromotion(Command):
    federal: str
    batch: PromotionBatch
    command_id: str


class SettlePromotion(Command):
    """The regional stage's record of whether its federal stage took its winners."""

    slug: str
    federal: str
    refusal: str | None
    references: list[str]
    command_id: str


class ReviewParticipation(Command):
    """A scheduled check of the participation drive during collection."""

    slug: str
    moment: datetime
    command_id: str
