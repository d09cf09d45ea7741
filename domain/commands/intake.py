"""Orders that take submissions, experts' scorecards and ballots, and what they answer.

Every row carries a label saying where it came from (`file:line`, an item number), so a refusal
can name it; a batch is checked whole before anything is written.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass

from domain.aggregates import Applicant, Material
from domain.aggregates.submission import Nominee
from domain.commands.order import Command, Order
from domain.model import Value
from domain.regions import padded_region


class SubmissionForm(Value):
    reference: str = Field(min_length=1, max_length=100)
    nomination: str = Field(max_length=64)
    title: str = Field(min_length=1, max_length=1000, description="The spec's limits.title caps it further")
    applicant: Applicant
    summary: str = Field(default="", max_length=20_000)
    conditions: tuple[str, ...] = Field(
        default=(), description="The codes of the spec's admission conditions the applicant confirms")
    nominee: Nominee | None = Field(default=None,
                                    description="The person a `kind: person` nomination is about")


class ReviewForm(Value):
    submission: str
    expert: str = Field(min_length=1)
    scores: dict[str, float]


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class BallotInput:
    """One ballot as a portal or an operator's file hands it over. `voter` is the person's id and
    is never stored; `label` is stored with a refusal, so it must not carry the voter's id.

    A slotted dataclass, validated like a model: a national vote holds millions of these, and a
    model instance with its dictionary takes five times the memory."""

    voter: Annotated[str, Field(min_length=1, description="The portal's voter id; only its HMAC is kept")]
    nomination: str
    submission: str
    region: Annotated[str, BeforeValidator(padded_region)]
    label: str = ""


class Submit(Command):
    """`draft`: save the forms without filing them; a form whose reference names a draft
    revises it (and, without `draft`, files it)."""

    slug: str
    forms: list[tuple[str, SubmissionForm]]
    draft: bool = False


class FileDraft(Command):
    slug: str
    reference: str


class Filed(Order):
    reference: str
    status: str = Field(description="submitted, or admitted or rejected when screened on arrival")
    rejection_reason: str | None = None


class AttachMaterial(Command):
    slug: str
    reference: str
    material: Material


class Attached(Order):
    reference: str
    material: Material
    applied: bool = Field(description="False when the submission already had this file")


class RecordReviews(Command):
    slug: str
    forms: list[tuple[str, ReviewForm]]


class CastBallots(Command):
    """A batch of ballots. The same batch id again records nothing and answers as the first time;
    without one, the batch's content names it. `strict` (an operator's file): any refusal
    refuses the whole batch and nothing is written."""

    slug: str
    ballots: list[BallotInput]
    voter_key: bytes = Field(repr=False)
    batch: str | None = None
    strict: bool = False


class BatchOutcome(Value):
    batch: str
    sent: int
    accepted: int
    rejected: dict[str, int]
    repeated: bool = False
