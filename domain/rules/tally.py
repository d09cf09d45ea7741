"""The vote count: per nomination and per voter region."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple


class CountedBallot(NamedTuple):
    nomination: str
    submission: str
    region: str


def count_votes(
    ballots: Iterable[CountedBallot],
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, dict[str, int]]]]:
    """Votes per nomination and submission, and the same per voter region; keys sorted."""
    return nest(Counter(ballots))


def nest(
    counts: Counter[CountedBallot],
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, dict[str, int]]]]:
    by_submission: dict[str, dict[str, int]] = {}
    by_region: dict[str, dict[str, dict[str, int]]] = {}
    for (nomination, submission, region), votes in sorted(counts.items()):
        per_nomination = by_submission.setdefault(nomination, {})
        per_nomination[submission] = per_nomination.get(submission, 0) + votes
        by_region.setdefault(region, {}).setdefault(nomination, {})[submission] = votes
    return _sorted(by_submission), _sorted(by_region)


def _sorted(tree: dict) -> dict:  # type: ignore[type-arg]
    return {
        key: _sorted(value) if isinstance(value, dict) else value
        for key, value in sorted(tree.items())
    }
