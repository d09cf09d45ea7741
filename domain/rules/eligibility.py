"""Who may enter: screening decides with these rules, never with hidden state."""

from __future__ import annotations

from domain.aggregates.submission import Applicant
from domain.spec import ContestSpec


def ineligibility_reason(spec: ContestSpec, nomination: str, applicant: Applicant) -> str | None:
    """The reason an entry is ineligible, or None when it may compete."""
    if spec.nomination(nomination) is None:
        return f"unknown nomination {nomination}"
    if applicant.kind not in spec.eligibility.applicant_kinds:
        return f"applicant kind {applicant.kind.value} not admitted"
    allowed_regions = spec.eligibility.regions
    if allowed_regions is not None and applicant.region not in allowed_regions:
        return f"region {applicant.region} outside the contest"
    return None


def late_reason(position: int, closed_at: int) -> str | None:
    """Log order decides lateness: an entry counts only if recorded before the close."""
    if position > closed_at:
        return f"recorded after collection closed (position {position} > {closed_at})"
    return None
