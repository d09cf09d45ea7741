"""Ranking with a declared tie-break cascade; every step is deterministic."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from pydantic import Field

from domain.model import Value
from domain.outcomes import RankedEntry


class Candidate(Value):
    reference: str
    score: float
    reviews: int
    position: int
    criteria: dict[str, float] = Field(default_factory=dict)


def _step_key(candidate: Candidate, step: str, seed: str) -> tuple[float | str, ...]:
    """A sort key where smaller ranks higher."""
    if step == "score":
        return (-round(candidate.score, 9),)
    if step == "reviews":
        return (-candidate.reviews,)
    if step == "submitted_first":
        return (candidate.position,)
    if step == "lottery":
        return (hashlib.sha256(f"{seed}/{candidate.reference}".encode()).hexdigest(),)
    if step.startswith("criterion:"):
        return (-round(candidate.criteria.get(step.removeprefix("criterion:"), 0.0), 9),)
    raise ValueError(f"unknown tie-break step {step!r}")


def rank(candidates: Sequence[Candidate], cascade: Sequence[str], seed: str = "") -> list[RankedEntry]:
    """Order by the cascade; the reference breaks any tie left, so input order never matters."""
    steps = [*cascade, "reference"]

    def key(candidate: Candidate) -> tuple[tuple[float | str, ...], ...]:
        return tuple(
            (candidate.reference,) if step == "reference" else _step_key(candidate, step, seed)
            for step in steps
        )

    ordered = sorted(candidates, key=key)
    ranked: list[RankedEntry] = []
    for index, candidate in enumerate(ordered):
        settled_by = None
        if index > 0:
            above, here = key(ordered[index - 1]), key(candidate)
            settled_by = next(s for s, a, b in zip(steps, above, here, strict=True) if a != b)
        ranked.append(
            RankedEntry(
                reference=candidate.reference, place=index + 1, score=round(candidate.score, 4),
                reviews=candidate.reviews, settled_by=settled_by,
            )
        )
    return ranked
