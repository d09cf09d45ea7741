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


def demand_by_practice(
    by_region: dict[str, dict[str, dict[str, int]]],
) -> dict[str, dict[str, dict[str, int]]]:
    """nomination → practice → region → votes: where the citizens who want each practice live,
    regions by votes, most first (code breaks ties). `by_region` is the tally's own map."""
    demand: dict[str, dict[str, dict[str, int]]] = {}
    for region, nominations in by_region.items():
        for nomination, practices in nominations.items():
            for practice, votes in practices.items():
                demand.setdefault(nomination, {}).setdefault(practice, {})[region] = votes
    return {
        nomination: {
            practice: dict(sorted(regions.items(), key=lambda item: (-item[1], item[0])))
            for practice, regions in sorted(practices.items())
        }
        for nomination, practices in sorted(demand.items())
    }
