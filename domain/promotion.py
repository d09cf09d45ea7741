"""What a regional stage sends its federal stage: its advancing winners, with provenance; and how
a promotion is checked against the results the stage sealed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import Field

from domain.aggregates.submission import Applicant, Nominee, Provenance
from domain.audit.diff import differences
from domain.audit.models import Difference
from domain.model import Value
from domain.outcomes import ContestResults
from domain.rules.stages import advancing, promoted_reference
from domain.spec import ContestSpec, Level

ENTRY_FIELDS = ("nomination", "title", "applicant", "summary", "provenance", "nominee")
"""What a promoted submission carries from its stage; its reference is how entries are matched."""


class PromotedEntry(Value):
    reference: str = Field(description="The submission's reference in the federal stage")
    nomination: str
    title: str
    applicant: Applicant
    summary: str = ""
    provenance: Provenance
    nominee: Nominee | None = Field(
        default=None, description="A personal nomination's person; sealed in the federal stage's log too")


class PromotionBatch(Value):
    stage: str = Field(description="The regional stage that promotes")
    region: str | None
    federal: str
    entries: list[PromotedEntry]

    def entry_fields(self) -> dict[str, dict[str, Any]]:
        return {e.reference: e.model_dump(mode="json", include=set(ENTRY_FIELDS)) for e in self.entries}


def sealed_batch(
    stage: str, spec: ContestSpec, results: ContestResults, reviews: Mapping[str, int],
    practice: Callable[[str], Mapping[str, Any]],
) -> PromotionBatch:
    """The batch a regional stage's results give: the winners its promotion rule advances, each
    with its practice as entered there (`practice(reference)`: title, applicant, summary, and the
    nominee of a personal nomination)."""
    if spec.promotion is None:
        raise ValueError(f"contest {stage} names no federal stage")
    entries = []
    for standing in advancing(results, spec.promotion.places):
        entered = practice(standing.reference)
        entries.append(PromotedEntry(
            reference=promoted_reference(spec.region, standing.reference), nomination=standing.nomination,
            title=entered["title"], applicant=entered["applicant"], summary=entered.get("summary", ""),
            nominee=entered.get("nominee"),
            provenance=Provenance(stage=stage, region=spec.region, reference=standing.reference,
                                  place=standing.place, score=standing.score,
                                  reviews=reviews.get(standing.reference, 0)),
        ))
    return PromotionBatch(stage=stage, region=spec.region, federal=spec.promotion.federal, entries=entries)


def entry_differences(
    where: str, references: list[str], fields: Mapping[str, Mapping[str, Any]], sealed: PromotionBatch
) -> list[Difference]:
    """How promoted entries (`references`, and each one's `fields`) differ from those the stage's
    sealed results give: first which entries, then each entry both name, field by field."""
    expected = [e.reference for e in sealed.entries]
    found = []
    if sorted(references) != sorted(expected):
        found.append(Difference(check="promotion", where=_joined(where, "entries"),
                                recorded=listed(references), recomputed=listed(expected)))
    for reference, wanted in sealed.entry_fields().items():
        if reference in references:
            found += differences("promotion", dict(fields.get(reference) or {}), wanted,
                                 _joined(where, reference))
    return found


def batch_differences(sent: PromotionBatch, sealed: PromotionBatch) -> list[Difference]:
    """How a promotion as sent differs from the one its stage's sealed results give."""
    found = differences("promotion", {"region": sent.region, "federal": sent.federal},
                        {"region": sealed.region, "federal": sealed.federal})
    return found + entry_differences("", [e.reference for e in sent.entries], sent.entry_fields(), sealed)


def _joined(where: str, what: str) -> str:
    return f"{where}, {what}" if where else what


def listed(references: list[str]) -> str:
    return f"[{', '.join(references)}]"


def promotes_to(spec: ContestSpec, federal: str) -> bool:
    """Whether `spec` is a regional stage whose winners advance to `federal`."""
    return spec.level == Level.REGIONAL and spec.promotion is not None and spec.promotion.federal == federal
