"""Final places: the expert ranking, the public vote, or both as the spec says."""

from __future__ import annotations

from domain.outcomes import ContestResults, JudgingOutcome, RankedEntry, Standing, VoteTally
from domain.spec import ContestSpec


def declare_standings(
    spec: ContestSpec, judging: JudgingOutcome | None, tally: VoteTally | None
) -> ContestResults:
    places = spec.places_per_nomination
    winners: list[Standing] = []
    people_choice: list[Standing] = []
    for nomination in spec.nominations:
        code = nomination.code
        votes = tally.by_submission.get(code, {}) if tally else {}
        ranking = judging.ranking(code) if judging else None
        if ranking is None:
            winners += _by_votes(code, votes, {}, places)
            continue
        scores = {e.reference: e.score for e in ranking.entries}
        if judging and tally and spec.voting.award == "weighted":
            shortlist = set(judging.shortlist.get(code, []))
            entries = [e for e in ranking.entries if e.reference in shortlist]
            winners += _weighted(code, entries, votes, spec.voting.public_weight, places)
        else:
            winners += [
                Standing(nomination=code, place=e.place, reference=e.reference, score=e.score,
                         votes=votes.get(e.reference, 0))
                for e in ranking.entries[:places]
            ]
        if tally and spec.voting.award == "people_choice":
            people_choice += _by_votes(code, votes, scores, 1)
    return ContestResults(winners=winners, people_choice=people_choice)


def _by_votes(
    nomination: str, votes: dict[str, int], scores: dict[str, float], places: int
) -> list[Standing]:
    order = sorted(votes, key=lambda ref: (-votes[ref], -scores.get(ref, 0.0), ref))
    return [
        Standing(nomination=nomination, place=i + 1, reference=ref, score=scores.get(ref, 0.0),
                 votes=votes[ref])
        for i, ref in enumerate(order[:places])
        if votes[ref] > 0
    ]


def _weighted(
    nomination: str, shortlisted: list[RankedEntry], votes: dict[str, int], weight: float,
    places: int,
) -> list[Standing]:
    most = max((votes.get(e.reference, 0) for e in shortlisted), default=0) or 1

    def combined(reference: str, score: float) -> float:
        return round((1 - weight) * score + weight * 100 * votes.get(reference, 0) / most, 4)

    order = sorted(shortlisted, key=lambda e: (-combined(e.reference, e.score), e.place))
    return [
        Standing(nomination=nomination, place=i + 1, reference=e.reference,
                 score=combined(e.reference, e.score), votes=votes.get(e.reference, 0))
        for i, e in enumerate(order[:places])
    ]
