"""From counted scorecards to one nomination's ranking: normalise, flag, rank, measure agreement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from domain.outcomes import NominationRanking, RankedEntry
from domain.rules.normalisation import Card, SubmissionScore
from domain.rules.quality import krippendorff_alpha_interval
from domain.rules.ranking import Candidate, rank
from domain.spec.judging import Judging


def rank_nomination(
    nomination: str,
    entries: Mapping[str, int],
    scores: Mapping[str, SubmissionScore],
    cards: Sequence[Card],
    judging: Judging,
    seed: str,
) -> NominationRanking:
    """`entries` maps each admitted reference to its log position; `scores` come from
    `normalise` over the whole contest, so z-scores see every card of each expert."""
    candidates, unreviewed, under_reviewed = [], [], {}
    for reference, position in entries.items():
        score = scores.get(reference)
        if score is None:
            unreviewed.append(reference)
        elif score.reviews < judging.required_reviews:
            under_reviewed[reference] = score.reviews
        else:
            candidates.append(Candidate(reference=reference, score=score.score, reviews=score.reviews,
                                        position=position, criteria=score.criteria))
    ranked = [
        _annotated(entry, scores[entry.reference], judging.disagreement_threshold)
        for entry in rank(candidates, judging.cascade(), seed=seed)
    ]
    by_submission: dict[str, list[float]] = defaultdict(list)
    for card in cards:
        by_submission[card.submission].append(card.score)
    units = [by_submission[reference] for reference in entries if reference in by_submission]
    return NominationRanking(
        nomination=nomination, entries=ranked, unreviewed=sorted(unreviewed),
        under_reviewed=dict(sorted(under_reviewed.items())),
        agreement=_rounded(krippendorff_alpha_interval(units)),
    )


def _annotated(entry: RankedEntry, score: SubmissionScore, threshold: float) -> RankedEntry:
    return entry.model_copy(update={
        "raw_score": round(score.raw_score, 4), "spread": round(score.spread, 4),
        "disagreement": score.spread > threshold, "fallback_experts": score.fallback_experts,
        "trimmed": score.trimmed,
    })


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
