"""Quality of expert review: disagreement on a submission, experts' leniency, inter-rater reliability."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from domain.rules.normalisation import Card, mean


def spread(scores: Sequence[float]) -> float:
    """Highest minus lowest score; 0 with fewer than two scores."""
    if len(scores) < 2:
        return 0.0
    return max(scores) - min(scores)


def leniency(cards: Sequence[Card]) -> dict[str, float]:
    """Per expert, how far their cards sit on average above the other cards on the same submission."""
    by_submission: dict[str, list[float]] = defaultdict(list)
    for card in cards:
        by_submission[card.submission].append(card.score)
    deviations: dict[str, list[float]] = defaultdict(list)
    for card in cards:
        scores = by_submission[card.submission]
        if len(scores) < 2:
            continue
        # Adding -score inside fsum keeps the other cards' sum exact, so order never matters.
        others = math.fsum([*scores, -card.score]) / (len(scores) - 1)
        deviations[card.expert].append(card.score - others)
    return {expert: mean(values) for expert, values in sorted(deviations.items())}


def _pair_sum(values: Sequence[float]) -> float:
    """Σ over ordered pairs i≠j of (x_i − x_j)²."""
    if max(values) == min(values):
        return 0.0
    # Σ_{i≠j}(x_i−x_j)² = 2(mΣx² − (Σx)²) = 2m·Σ(x−x̄)²; the centred form avoids cancellation.
    centre = mean(values)
    return 2 * len(values) * math.fsum((v - centre) ** 2 for v in values)


def krippendorff_alpha_interval(units: Sequence[Sequence[float]]) -> float | None:
    """Krippendorff's alpha with the interval metric; units with fewer than two values are not pairable.

    None when fewer than two values are pairable or when all pairable values are equal (D_e = 0).
    """
    pairable = [list(unit) for unit in units if len(unit) >= 2]
    pooled = [value for unit in pairable for value in unit]
    n = len(pooled)
    if n < 2:
        return None
    expected = _pair_sum(pooled) / (n * (n - 1))
    if expected == 0:
        return None
    observed = math.fsum(_pair_sum(unit) / (len(unit) - 1) for unit in pairable) / n
    return 1 - observed / expected
