"""The order that erases a natural person's particulars, and what it did."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from domain.commands.order import Command, Order


class Forget(Command):
    person: str = Field(description="`expert:<contest>/<expert id>` or `applicant:<contest>/<reference>`")
    reason: str = Field(min_length=1, description="Why: the request answered, for the record")
    command_id: str = Field(description="A retry with the same id records the erasure once")


class Forgotten(Order):
    person: str = Field(description="The person as the order named them")
    erased: list[str] = Field(description="Each record of the person whose key this order destroyed: "
                                          "the one named, and a promoted submission's other stage")
    records: list[UUID] = Field(description="The aggregates whose particulars now read as erased, "
                                            "whether by this order or an earlier one: what read models scrub")
    purged: bool = Field(description="The store's files no longer hold the destroyed keys (SQLite: "
                                     "its write-ahead log was emptied); false while another process "
                                     "read it")

    @property
    def nothing_left(self) -> bool:
        return not self.erased
