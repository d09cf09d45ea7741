"""Promotion between stages: a regional stage's winners enter its federal stage, with provenance."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import Field

from domain.aggregates import Applicant, Contest, Submission
from domain.aggregates.submission import Provenance
from domain.errors import InvalidCommand, UnknownNomination
from domain.ids import submission_id
from domain.intake import IntakeCommands
from domain.model import Value
from domain.rules.stages import advancing, promoted_reference


class PromotedEntry(Value):
    reference: str = Field(description="The submission's reference in the federal stage")
    nomination: str
    title: str
    applicant: Applicant
    summary: str = ""
    provenance: Provenance


class PromotionBatch(Value):
    stage: str = Field(description="The regional stage that promotes")
    region: str | None
    federal: str
    entries: list[PromotedEntry]


class StageCommands(IntakeCommands):
    def promotion_batch(self, slug: str) -> PromotionBatch:
        """The published winners of a regional stage that its promotion rule advances."""
        contest = self.get_contest(slug)
        promotion = contest.spec.promotion
        if promotion is None:
            raise InvalidCommand(f"contest {slug} names no federal stage to promote to")
        if not contest.published or contest.results is None:
            raise InvalidCommand(f"contest {slug} has not published its results yet")
        reviews = {
            entry.reference: entry.reviews
            for ranking in (contest.judging.rankings if contest.judging else [])
            for entry in ranking.entries
        }
        entries = []
        for standing in advancing(contest.results, promotion.places):
            submission: Submission = self.repository.get(submission_id(slug, standing.reference))
            entries.append(PromotedEntry(
                reference=promoted_reference(contest.spec.region, standing.reference),
                nomination=standing.nomination, title=submission.title,
                applicant=submission.applicant, summary=submission.summary,
                provenance=Provenance(
                    stage=slug, region=contest.spec.region, reference=standing.reference,
                    place=standing.place, score=standing.score,
                    reviews=reviews.get(standing.reference, 0),
                ),
            ))
        return PromotionBatch(stage=slug, region=contest.spec.region, federal=promotion.federal,
                              entries=entries)

    def receive_promotion(self, federal: str, batch: PromotionBatch, command_id: str) -> bool:
        """Enter the promoted submissions into the federal stage, once per command id.

        Log order decides, as for any submission: once the federal stage's collection has
        closed, the contest refuses the promotion and nothing is written.
        """
        def act(contest: Contest) -> Iterable[Any]:
            spec = contest.spec
            for entry in batch.entries:
                if spec.nomination(entry.nomination) is None:
                    raise UnknownNomination(
                        f"nomination {entry.nomination} of {batch.stage} is not in the federal "
                        f"stage {federal}"
                    )
            contest.receive_promotion(batch.stage, batch.region,
                                      [e.reference for e in batch.entries], command_id)
            return [
                Submission(contest=federal, reference=e.reference, nomination=e.nomination,
                           title=e.title, applicant=e.applicant, summary=e.summary,
                           provenance=e.provenance)
                for e in batch.entries
            ]

        return self.run_contest_command(federal, command_id, act)

    def settle_promotion(
        self, slug: str, federal: str, refusal: str | None, references: list[str], command_id: str
    ) -> bool:
        """Record on the regional stage whether its federal stage took its winners, and why not."""
        def act(contest: Contest) -> Iterable[Any]:
            if refusal is None:
                contest.record_promotion(federal, references, command_id)
            else:
                contest.record_promotion_refused(federal, refusal, command_id)
            return ()

        return self.run_contest_command(slug, command_id, act)
