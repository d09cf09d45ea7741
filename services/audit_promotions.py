"""The audit of promotions between stages, from both ends.

A regional stage promoted the winners its rule advances, and its federal stage received exactly
those. A federal stage received only from a regional stage of its own, in this store, that had
published before, and exactly the entries that stage's sealed results give, with their provenance.
"""

from __future__ import annotations

from typing import Any

from domain.aggregates import Contest, Submission
from domain.audit.diff import differences
from domain.audit.models import CheckResult, Difference
from domain.errors import UnknownContest
from domain.outcomes import ContestResults, JudgingOutcome
from domain.promotion import (
    ENTRY_FIELDS,
    PromotionBatch,
    entry_differences,
    listed,
    promotes_to,
    sealed_batch,
)
from domain.rules.stages import advancing, promoted_reference
from domain.spec import ContestSpec
from services.contest_record import ContestRecord, read_contest_record
from store.application import StoreApplication
from store.log import LoggedEvent


class PromotionAudit:
    def __init__(self, store: StoreApplication) -> None:
        self.store = store

    def check(self, record: ContestRecord, results: ContestResults | None) -> CheckResult:
        found: list[Difference] = []
        checked = 0
        promoted, received = record.of(Contest.Promoted), record.of(Contest.PromotionReceived)
        for event in promoted:
            federal, references = event.state["federal"], event.state["references"]
            expected = _advancing(record.spec, results) if results else []
            checked += len(expected)
            found += differences("promotion", references, expected, f"promoted to {federal}")
            found += self._received_by(federal, record.slug, references)
        submitted = self._submitted(record.slug) if received else {}
        for event in received:
            count, problems = self._received_from(record.slug, event, submitted)
            checked += count
            found += problems
        found += _regions_promoted_twice(received)
        notes = [] if promoted or received else ["no promotions"]
        return CheckResult(check="promotion", recomputed=checked, differences=found, notes=notes)

    def _received_by(self, federal: str, stage: str, references: list[str]) -> list[Difference]:
        """A regional stage's promotion is one its federal stage recorded receiving, entry for entry."""
        where = f"promoted to {federal}, as {federal} received it"
        try:
            federal_record = read_contest_record(self.store, federal)
        except UnknownContest:
            return [_difference(where, references, f"no contest {federal} in this store")]
        taken = [e.state["references"] for e in federal_record.of(Contest.PromotionReceived)
                 if e.state["stage"] == stage]
        if any(sorted(t) == sorted(references) for t in taken):
            return []
        return [_difference(where, references, listed(taken[-1]) if taken else "nothing")]

    def _received_from(
        self, federal: str, event: LoggedEvent, submitted: dict[str, dict[str, Any]]
    ) -> tuple[int, list[Difference]]:
        """(entries checked, differences) of one promotion a federal stage recorded receiving."""
        stage, references = event.state["stage"], event.state["references"]
        where = f"received from {stage} at position {event.position}"
        try:
            stage_record = read_contest_record(self.store, stage)
        except UnknownContest:
            return 0, [_difference(where, references, f"no contest {stage} in this store")]
        spec = stage_record.spec
        if not promotes_to(spec, federal):
            return 0, [_difference(where, references, f"{stage} is not a regional stage of {federal}")]
        published = stage_record.of(Contest.ResultsPublished)
        if not published or published[0].position > event.position:
            when = f" (it did at position {published[0].position})" if published else ""
            return 0, [_difference(where, references, f"{stage} had not published its results{when}")]
        sealed = self._sealed(stage_record, published[0].position)
        if isinstance(sealed, str):
            return 0, [_difference(where, references, sealed)]
        found = differences("promotion", {"region": event.state["region"]}, {"region": sealed.region}, where)
        fields = {ref: {k: submitted[ref].get(k) for k in ENTRY_FIELDS}
                  for ref in references if ref in submitted}
        return len(sealed.entries), found + entry_differences(where, references, fields, sealed)

    def _sealed(self, stage: ContestRecord, published_at: int) -> PromotionBatch | str:
        """The batch the stage's results give as they stood when published, or why there is none."""
        declared = [results for event, results in stage.declarations() if event.position < published_at]
        results = declared[-1] if declared else ContestResults(winners=[])
        judged = [e for e in stage.of(Contest.JudgingConcluded) if e.position < published_at]
        rankings = JudgingOutcome.model_validate(judged[-1].state["outcome"]).rankings if judged else []
        reviews = {entry.reference: entry.reviews for ranking in rankings for entry in ranking.entries}
        practice = self._submitted(stage.slug)
        places = stage.spec.promotion.places if stage.spec.promotion else []
        unknown = [s.reference for s in advancing(results, places) if s.reference not in practice]
        if unknown:
            return f"{stage.slug}'s results place {', '.join(unknown)}, never submitted there"
        return sealed_batch(stage.slug, stage.spec, results, reviews, practice.__getitem__)

    def _submitted(self, slug: str) -> dict[str, dict[str, Any]]:
        """Each of a contest's submissions as entered: reference → the state it was submitted with."""
        return {logged.state["reference"]: logged.state
                for logged in self.store.contest_events(slug, [Submission.Submitted])}


def _advancing(spec: ContestSpec, results: ContestResults) -> list[str]:
    places = spec.promotion.places if spec.promotion else []
    return [promoted_reference(spec.region, s.reference) for s in advancing(results, places)]


def _regions_promoted_twice(received: list[LoggedEvent]) -> list[Difference]:
    """One regional stage per region promotes: a second stage of a region taken is a difference."""
    first: dict[str, LoggedEvent] = {}
    found = []
    for event in received:
        region = event.state["region"]
        if not region:
            continue
        if region in first:
            found.append(_difference(
                f"received from {event.state['stage']} at position {event.position}",
                event.state["references"],
                f"region {region} promoted already by {first[region].state['stage']} at position "
                f"{first[region].position}; one stage per region promotes"))
        else:
            first[region] = event
    return found


def _difference(where: str, references: list[str], recomputed: str) -> Difference:
    return Difference(check="promotion", where=where, recorded=listed(references), recomputed=recomputed)

