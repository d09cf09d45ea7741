"""Queries that depend on who asks, and what they answer."""

from __future__ import annotations

from pydantic import Field

from domain.actors import Actor
from domain.aggregates import Applicant, Material, SubmissionStatus
from domain.commands.order import Order
from domain.model import Value


class ReadSubmissions(Order):
    actor: Actor
    slug: str
    reference: str | None = Field(default=None, description="One submission; all the reader may see if None")


class SubmissionRecord(Value):
    reference: str
    nomination: str
    title: str
    applicant: Applicant
    summary: str
    status: SubmissionStatus
    rejection_reason: str | None = Field(description="Why screening rejected it, if it did")
    place: int | None
    materials: list[Material] = Field(default_factory=list, description="Attached files, by content")


class ReadAssignments(Order):
    actor: Actor
    slug: str


class Assignment(Value):
    submission: SubmissionRecord
    scored: bool = Field(description="The expert has recorded a card for it")
    scores: dict[str, float] | None = Field(description="The card's last revision, if any")


class Progress(Value):
    expert: str
    assigned: int
    scored: int
    open: list[str] = Field(description="Assigned submissions still without a card")
