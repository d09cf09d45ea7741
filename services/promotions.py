"""Promotions are verified, never trusted: what a federal stage takes from a regional stage is
read from that stage's record in this store, not from the message that names it."""

from __future__ import annotations

from domain.aggregates import Submission
from domain.errors import InvalidCommand, PromotionConflict, UnknownContest
from domain.ids import submission_id
from domain.promotion import PromotionBatch, batch_differences, promotes_to, sealed_batch
from store.application import StoreApplication


def promotion_batch(store: StoreApplication, slug: str) -> PromotionBatch:
    """The published winners of a regional stage that its promotion rule advances."""
    contest = store.get_contest(slug)
    if contest.spec.promotion is None:
        raise InvalidCommand(f"contest {slug} names no federal stage to promote to")
    if not contest.published or contest.results is None:
        raise InvalidCommand(f"contest {slug} has not published its results yet")
    reviews = {entry.reference: entry.reviews
               for ranking in (contest.judging.rankings if contest.judging else [])
               for entry in ranking.entries}

    def practice(reference: str) -> dict[str, object]:
        submission: Submission = store.repository.get(submission_id(slug, reference))
        return {"title": submission.title, "applicant": submission.applicant, "summary": submission.summary,
                "nominee": submission.nominee}

    return sealed_batch(slug, contest.spec, contest.results, reviews, practice)


def verify_promotion(store: StoreApplication, federal: str, batch: PromotionBatch) -> None:
    """Refuse a batch unless its stage, in this store, is a regional stage of `federal` that has
    published, and the batch is exactly what those sealed results promote."""
    stage = batch.stage
    refused = f"promotion from {stage} refused"
    try:
        contest = store.get_contest(stage)
    except UnknownContest:
        raise PromotionConflict(f"{refused}: no contest {stage} is in this store") from None
    if not promotes_to(contest.spec, federal):
        raise PromotionConflict(f"{refused}: {stage} is not a regional stage of {federal}")
    if not contest.published:
        raise PromotionConflict(f"{refused}: {stage} has not published its results")
    found = batch_differences(batch, promotion_batch(store, stage))
    if found:
        shown = "; ".join(f"{d.where} {d.recorded or 'nothing'}, published {d.recomputed or 'nothing'}"
                          for d in found)
        raise PromotionConflict(f"{refused}: it does not match {stage}'s published results: {shown}")
