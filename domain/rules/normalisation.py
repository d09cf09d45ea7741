"""Score normalisation: from experts' scorecards to one score per submission."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from domain.model import Value

Method = Literal["raw", "zscore", "trimmed"]
MIN_CARDS_FOR_ZSCORE = 3
TRIM_FROM = 5


class Card(Value):
    submission: str
    expert: str
    score: float
    criteria: dict[str, float] = Field(default_factory=dict)


class SubmissionScore(Value):
    reference: str
    score: float
    raw_score: float
    reviews: int
    spread: float
    criteria: dict[str, float]
    fallback_experts: list[str]
    trimmed: bool


def mean(values: Sequence[float]) -> float:
    # fsum is correctly rounded, so the mean is bit-identical whatever the order of the values.
    # Equal values return themselves: fsum(n·x)/n can land one ulp away from x.
    if max(values) == min(values):
        return values[0]
    return math.fsum(values) / len(values)


def pstdev(values: Sequence[float]) -> float:
    """Population standard deviation; exactly 0 when all values are equal."""
    # Tested on the values themselves: a rounded mean could leave a tiny spurious deviation.
    if max(values) == min(values):
        return 0.0
    centre = mean(values)
    return math.sqrt(math.fsum((v - centre) ** 2 for v in values) / len(values))


def _zscores(cards: Sequence[Card]) -> tuple[list[float], set[str]]:
    """Each card's normalised score and the experts who fell back to raw scores."""
    by_expert: dict[str, list[float]] = defaultdict(list)
    for card in cards:
        by_expert[card.expert].append(card.score)
    all_scores = [card.score for card in cards]
    centre, sigma = mean(all_scores), pstdev(all_scores)
    params: dict[str, tuple[float, float]] = {}
    fallback: set[str] = set()
    for expert, scores in by_expert.items():
        own_sigma = pstdev(scores)
        if len(scores) < MIN_CARDS_FOR_ZSCORE or own_sigma == 0 or sigma == 0:
            fallback.add(expert)
        else:
            params[expert] = (mean(scores), own_sigma)
    normalised: list[float] = []
    for card in cards:
        if card.expert in fallback:
            normalised.append(card.score)
        else:
            own_centre, own_sigma = params[card.expert]
            value = centre + (card.score - own_centre) / own_sigma * sigma
            normalised.append(min(100.0, max(0.0, value)))
    return normalised, fallback


def _criteria_means(cards: Sequence[Card]) -> dict[str, float]:
    """Each criterion's mean over the cards that carry it."""
    by_code: dict[str, list[float]] = defaultdict(list)
    for card in cards:
        for code, value in card.criteria.items():
            by_code[code].append(value)
    return {code: mean(values) for code, values in sorted(by_code.items())}


def normalise(cards: Sequence[Card], method: Method) -> dict[str, SubmissionScore]:
    """One score per submission, keyed (and ordered) by reference."""
    if method not in ("raw", "zscore", "trimmed"):
        raise ValueError(f"unknown normalisation method {method!r}")
    adjusted, fallback = _zscores(cards) if method == "zscore" and cards else ([], set())
    grouped: dict[str, list[int]] = defaultdict(list)
    for index, card in enumerate(cards):
        grouped[card.submission].append(index)

    results: dict[str, SubmissionScore] = {}
    for reference in sorted(grouped):
        own = [cards[i] for i in grouped[reference]]
        raw = sorted(card.score for card in own)
        trimmed = method == "trimmed" and len(raw) >= TRIM_FROM
        if method == "zscore":
            score = mean([adjusted[i] for i in grouped[reference]])
        elif trimmed:
            score = mean(raw[1:-1])
        else:
            score = mean(raw)
        results[reference] = SubmissionScore(
            reference=reference,
            score=score,
            raw_score=mean(raw),
            reviews=len(own),
            spread=raw[-1] - raw[0],
            criteria=_criteria_means(own),
            fallback_experts=sorted({card.expert for card in own} & fallback),
            trimmed=trimmed,
        )
    return results
