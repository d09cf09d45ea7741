"""The auditor's recomputation: every published result of a contest, again from the log.

Each check reads the log only up to the event that recorded the result, so what came later
cannot change it, and runs the same rules the contest ran under. The recorded result and the
recomputation are then compared field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple
from uuid import UUID

from domain.aggregates import Contest, Submission
from domain.audit.diff import differences, keyed_judging, keyed_ranking, keyed_results
from domain.audit.models import CheckResult, ContestAudit, Difference
from domain.outcomes import ContestResults, JudgingOutcome, VoteTally
from domain.personal import ERASED
from domain.phases import Phase
from domain.rules.standings import declare_standings
from domain.rules.version import RULES_VERSION
from services.audit_checks import AuditChecks
from services.chain import Chain
from services.conclusions import ResultsService
from services.contest_record import ContestRecord, read_contest_record
from services.intake_audit import IntakeAudit
from services.judging_reads import JudgingReads
from store.application import StoreApplication
from store.log import topic_of


class AuditService:
    """Recomputes every result of a contest from the log and compares it with the record."""

    def __init__(
        self, store: StoreApplication, results: ResultsService, reads: JudgingReads, chain: Chain,
        public_key: Callable[[], str],
    ) -> None:
        """`public_key` gives the hex key the deployment's acceptances must be signed with."""
        self.store = store
        self.results = results
        self.reads = reads
        self.checks = AuditChecks(store, reads, chain)
        self.intake = IntakeAudit(store, public_key)

    def audit_contest(self, slug: str) -> ContestAudit:
        record = read_contest_record(self.store, slug)
        references = self.checks.contest_submissions(slug)
        judging, judging_check = self._recheck_judging(record)
        tally, tally_check = self._recheck_tally(record)
        results, results_check = self._recheck_results(record, judging, tally)
        seals = [seal for _, seal in record.seals() if seal is not None]
        return ContestAudit(
            slug=slug, spec_hash=record.spec.fingerprint(),
            rules_version=seals[-1].rules_version if seals else RULES_VERSION,
            checks=[
                self.checks.check_seals(record), self.intake.check(slug),
                self._recheck_screening(record, references),
                self.checks.check_assignments(record), judging_check, tally_check, results_check,
                self._recheck_publication(record, results, references),
                self.checks.check_promotions(record, results),
            ],
        )

    def _recheck_screening(self, record: ContestRecord, references: dict[UUID, str]) -> CheckResult:
        recorded = record.screening()
        closed_at = record.closed_at(Phase.COLLECTING)
        if recorded is None or closed_at is None:
            return _nothing("screening", "no screening recorded")
        event, outcome = recorded
        screening = self.results.screen(record.spec, closed_at, stop=event.position)
        totals = differences("screening", outcome.model_dump(mode="json"),
                             screening.outcome.model_dump(mode="json"))
        decided, early = _recorded_decisions(self.store, references, closed_at)
        timing = _decision_timing(record, decided, early)
        found: list[Difference] = []
        notes: list[str] = []
        erased: set[str] | None = None
        for decision in screening.decisions:
            expected = "admitted" if decision.rejection is None else f"rejected: {decision.rejection.reason}"
            actual = decided.pop(decision.reference, None)
            if actual == expected:
                continue
            erased = self._erased_applicants(record.slug) if erased is None else erased
            if decision.reference in erased:
                notes.append(f"submission {decision.reference}: {actual} on particulars erased since; "
                             "taken as recorded")
            else:
                found.append(Difference(check="screening", where=f"submission {decision.reference}",
                                        recorded=actual, recomputed=expected))
        found += [Difference(check="screening", where=f"submission {reference}", recorded=actual,
                             recomputed="not screened") for reference, actual in decided.items()]
        if notes and not found:  # the erased decisions account for the totals too
            notes += [f"{d.describe()} (the erased decisions)" for d in totals]
        else:
            found = totals + found
        return CheckResult(check="screening", recomputed=len(screening.decisions),
                           differences=timing.differences + found, notes=timing.notes + notes)

    def _erased_applicants(self, slug: str) -> set[str]:
        submitted = self.store.contest_events(slug, [Submission.Submitted])
        return {e.state["reference"] for e in submitted if e.state["applicant"]["name"] == ERASED}

    def _recheck_judging(self, record: ContestRecord) -> tuple[JudgingOutcome | None, CheckResult]:
        recorded = record.judging()
        closed_at = record.closed_at(Phase.JUDGING)
        if recorded is None or closed_at is None:
            return None, _nothing("judging", "no judging recorded")
        _, outcome = recorded
        spec = record.spec
        again = self.reads.judge(spec, closed_at, recorded=False)
        found = differences("judging", keyed_judging(outcome), keyed_judging(again))
        panels = self.reads.judgings(spec)
        for ranking in again.rankings:
            concluded = panels[ranking.nomination].ranking if ranking.nomination in panels else None
            if concluded is not None:
                found += differences("judging", keyed_ranking(concluded), keyed_ranking(ranking),
                                     f"panel of nomination {ranking.nomination}")
        entries = sum(len(r.entries) for r in again.rankings)
        return again, CheckResult(check="judging", recomputed=entries, differences=found,
                                  notes=[f"{again.reviews_counted} cards normalised ({again.normalisation})"])

    def _recheck_tally(self, record: ContestRecord) -> tuple[VoteTally | None, CheckResult]:
        recorded = record.tally()
        closed_at = record.closed_at(Phase.VOTING)
        if recorded is None or closed_at is None:
            return None, _nothing("tally", "no vote tallied")
        event, tally = recorded
        again = self.results.count(record.slug, closed_at, stop=event.position)
        found = differences("tally", tally.model_dump(mode="json"), again.model_dump(mode="json"))
        return again, CheckResult(check="tally", recomputed=again.accepted, differences=found)

    def _recheck_results(
        self, record: ContestRecord, judging: JudgingOutcome | None, tally: VoteTally | None
    ) -> tuple[ContestResults | None, CheckResult]:
        declarations = record.declarations()
        if not declarations:
            return None, _nothing("results", "no results declared")
        again = declare_standings(record.spec, judging, tally)
        found = [d for _, declared in declarations
                 for d in differences("results", keyed_results(declared), keyed_results(again))]
        return again, CheckResult(check="results", recomputed=len(again.winners) + len(again.people_choice),
                                  differences=found)

    def _recheck_publication(
        self, record: ContestRecord, results: ContestResults | None, references: dict[UUID, str]
    ) -> CheckResult:
        """Published places, submission by submission, are the declared winners."""
        if record.last(Contest.ResultsPublished) is None or results is None:
            return _nothing("publication", "results not published")
        placed = {references[logged.originator_id]: _place(logged.state["place"], logged.state["score"])
                  for logged in self.store.read_log([topic_of(Submission.Placed)])
                  if logged.originator_id in references}
        expected = {s.reference: _place(s.place, s.score) for s in results.winners}
        found = differences("publication", placed, expected)
        return CheckResult(check="publication", recomputed=len(expected), differences=found)


class _Timing(NamedTuple):
    differences: list[Difference]
    notes: list[str]


def _decision_timing(record: ContestRecord, decided: dict[str, str], early: list[str]) -> _Timing:
    """Decisions before the close are screening on arrival, which only a spec that says so makes."""
    if record.spec.screening.on_arrival:
        return _Timing([], [f"{len(early)} decided on arrival, before collection closed"])
    return _Timing([Difference(check="screening", where=f"submission {reference}",
                               recorded=decided[reference], recomputed="decided only when collection closes")
                    for reference in early], [])


def _nothing(check: str, why: str) -> CheckResult:
    return CheckResult(check=check, recomputed=0, notes=[why])


def _place(place: int, score: float) -> str:
    return f"place {place}, score {score}"


def _recorded_decisions(
    app: StoreApplication, references: dict[UUID, str], closed_at: int
) -> tuple[dict[str, str], list[str]]:
    """What screening recorded, by reference, and the references decided before `closed_at`
    (on arrival). The close's decisions follow the contest's event in the same transaction,
    and a submission is decided once, so the whole log is read."""
    admitted = topic_of(Submission.Admitted)
    decided: dict[str, str] = {}
    early: list[str] = []
    for logged in app.read_log([admitted, topic_of(Submission.Rejected)]):
        if logged.originator_id not in references:
            continue
        reference = references[logged.originator_id]
        decided[reference] = "admitted" if logged.topic == admitted else f"rejected: {logged.state['reason']}"
        if logged.position < closed_at:
            early.append(reference)
    return decided, early
