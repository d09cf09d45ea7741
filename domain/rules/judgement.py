"""From counted scorecards to one nomination's ranking: normalise, flag, rank, measure agreement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

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


def short_of_reviews(unreviewed: Iterable[str], under_reviewed: Mapping[str, int]) -> dict[str, int]:
    """Every submission with fewer reviews than the minimum, with its count: none at all is 0."""
    return dict(sorted({**dict.fromkeys(unreviewed, 0), **under_reviewed}.items()))


def why_no_winner(
    submitted: int, admitted: int, short: Mapping[str, int], required_reviews: int | None,
) -> str:
    """Why a nomination ends with nobody placed; `required_reviews` is None without judging."""
    if submitted == 0:
        return "no submissions"
    if admitted == 0:
        return f"no submission was admitted ({submitted} submitted)"
    if required_reviews is None:
        return f"no votes ({admitted} admitted)"
    if short:
        return (f"no admitted submission was reviewed enough ({admitted} admitted, {len(short)} "
                f"with fewer than {required_reviews} reviews)")
    return f"no admitted submission was ranked ({admitted} admitted)"


def open_cards_by_nomination(
    assigned: Mapping[str, Mapping[str, Iterable[str]]], scored: Mapping[str, Iterable[str]],
) -> dict[str, int]:
    """Cards assigned and not yet in, per nomination: `assigned` maps a nomination to each
    submission's experts, `scored` a submission to the experts whose card counts."""
    missing: dict[str, int] = {}
    for nomination, submissions in sorted(assigned.items()):
        count = 0
        for submission, experts in submissions.items():
            done = set(scored.get(submission, ()))
            count += sum(expert not in done for expert in experts)
        if count:
            missing[nomination] = count
    return missing


def describe_open_cards(missing: Mapping[str, int]) -> str:
    """The one line that refuses an early close of judging while cards are open."""
    where = ", ".join(f"{nomination}: {count}" for nomination, count in missing.items())
    return (f"{sum(missing.values())} cards are still open ({where}); close judging anyway with "
            "force and a reason (konkurs close --force --reason \"…\")")
