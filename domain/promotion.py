"""What a regional stage sends its federal stage: its advancing winners, with provenance."""

from __future__ import annotations

from pydantic import Field

from domain.aggregates.submission import Applicant, Provenance
from domain.model import Value


class PromotedEntry(Value):
    reference: str = Field(description="The submission's reference in the federal stage")
    nomination: str
    title: str
    applicant: Applicant
    summary: str = ""
    provenance: Provenance


class PromotionBatch(Value):
    stage: str = Field(description="The regional stage that promotes")
    region: str | None
    federal: str
    entries: list[PromotedEntry]
