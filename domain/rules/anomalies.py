"""Signals an operator should look at in a vote: reported, never used to drop a ballot."""

from __future__ import annotations

from collections import Counter
from statistics import median
from typing import Literal

from domain.model import Value


class Anomaly(Value):
    kind: Literal["burst", "regional_rate"]
    minute: str
    region: str | None = None
    ballots: int
    usual: float


def vote_anomalies(
    per_minute: Counter[str], per_region_minute: Counter[tuple[str, str]], *,
    burst_factor: float, region_limit: int,
) -> list[Anomaly]:
    """Minutes with `burst_factor` times the median minute's ballots (and at least 100), and
    region-minutes above `region_limit` or `burst_factor` times that region's median minute."""
    found = []
    usual = median(per_minute.values()) if per_minute else 0.0
    for minute, ballots in sorted(per_minute.items()):
        if ballots >= 100 and ballots > burst_factor * usual:
            found.append(Anomaly(kind="burst", minute=minute, ballots=ballots, usual=usual))
    by_region: dict[str, list[int]] = {}
    for (region, _), ballots in per_region_minute.items():
        by_region.setdefault(region, []).append(ballots)
    region_usual = {region: median(counts) for region, counts in by_region.items()}
    for (region, minute), ballots in sorted(per_region_minute.items()):
        regional = region_usual[region]
        if ballots > region_limit or (ballots >= 100 and ballots > burst_factor * regional):
            found.append(Anomaly(kind="regional_rate", minute=minute, region=region,
                                 ballots=ballots, usual=regional))
    return found
