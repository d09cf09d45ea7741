"""A voter's receipt and its check: the ids and log positions of their ballots, and whether the
published tally counted the ballot a receipt names. Neither says how anyone voted."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field

from domain.commands.order import Command, Order
from domain.model import Value


def _spelled_ballot_id(value: object) -> object:
    """A receipt copied by hand: spaces, dashes of the UUID form and capitals do not matter."""
    if isinstance(value, str):
        return "".join(value.split()).replace("-", "").lower()
    return value


BallotHex = Annotated[str, BeforeValidator(_spelled_ballot_id), Field(pattern=r"^[0-9a-f]{32}$")]


class ReadReceipt(Command):
    """The ballots of the voter a portal authenticated, in every nomination of a contest."""

    slug: str
    voter: str = Field(min_length=1, repr=False, description="The portal's voter id; never stored")
    voter_key: bytes = Field(repr=False)


class ReceiptLine(Value):
    nomination: str
    ballot: str = Field(description="The ballot's id (32 hex digits)")
    position: int = Field(description="The log position its Ballot.Cast event was recorded at")


class Receipt(Value):
    slug: str
    lines: list[ReceiptLine] = Field(description="One per ballot recorded, in the spec's nomination order")


class VerifyReceipt(Order):
    """Anyone holding a receipt may check it: no actor, no right needed."""

    slug: str
    ballot: BallotHex
    position: int = Field(ge=1, le=2**62, description="The log position the receipt names")


class ReceiptStatus(StrEnum):
    COUNTED = "counted"
    NOT_PUBLISHED = "not_published"
    NOT_FOUND = "not_found"
    NOT_COUNTED = "not_counted"


class ReceiptCheck(Value):
    slug: str
    status: ReceiptStatus
    reason: str | None = Field(default=None, description="Why it is not found or not counted: one sentence")
    nomination: str | None = Field(default=None, description="The ballot's nomination, once found")
    sealed_position: int | None = Field(default=None, description="The position the results were sealed at")
    sealed_head: str | None = Field(default=None, description="The chain's link there (hex)")
