"""The vote count: per nomination and per voter region."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from domain.model import Value


class CountedBallot(Value):
    nomination: str
    submission: str
    region: str


def count_votes(
    ballots: Iterable[CountedBallot],
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, dict[str, int]]]]:
    by_submission: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_region: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for ballot in ballots:
        by_submission[ballot.nomination][ballot.submission] += 1
        by_region[ballot.region][ballot.nomination][ballot.submission] += 1
    return _plain(by_submission), _plain(by_region)


def _plain(tree: dict) -> dict:  # type: ignore[type-arg]
    return {
        key: _plain(value) if isinstance(value, dict) else value
        for key, value in sorted(tree.items())
    }
