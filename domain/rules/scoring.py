"""Scorecards: every criterion on its scale, combined by the spec's weights into 0–100."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.errors import ScoreOutOfRange
from domain.spec.judging import Criterion


def check_scorecard(scores: Mapping[str, float], criteria: Sequence[Criterion], where: str) -> None:
    known = {c.code for c in criteria}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ScoreOutOfRange(f"{where}: unknown criterion {unknown[0]}; expected {sorted(known)}")
    for criterion in criteria:
        if criterion.code not in scores:
            raise ScoreOutOfRange(f"{where}: missing score for criterion {criterion.code}")
        value = scores[criterion.code]
        if not criterion.scale.min <= value <= criterion.scale.max:
            raise ScoreOutOfRange(
                f"{where}: score {value:g} for {criterion.code} is outside "
                f"{criterion.scale.min:g}–{criterion.scale.max:g}"
            )


def weighted_score(scores: Mapping[str, float], criteria: Sequence[Criterion]) -> float:
    """One card's score: each criterion rescaled to 0–1, weighted, then expressed out of 100."""
    total_weight = sum(c.weight for c in criteria)
    weighted = sum(
        c.weight * (scores[c.code] - c.scale.min) / (c.scale.max - c.scale.min) for c in criteria
    )
    return 100 * weighted / total_weight


def mean_score(cards: Sequence[Mapping[str, float]], criteria: Sequence[Criterion]) -> float:
    return sum(weighted_score(card, criteria) for card in cards) / len(cards)
