"""The auditor's recomputation catches a result that the rules do not give, however it got there."""

from __future__ import annotations

from domain.aggregates import Contest, Judging, Pair
from domain.aggregates.judging import judging_id
from domain.audit.models import ContestAudit
from domain.outcomes import Seal
from domain.rules.version import RULES_VERSION
from services.konkurs import Konkurs
from tests.factories import OPERATOR


def failing(audit: ContestAudit) -> dict[str, list[str]]:
    return {c.check: [d.describe() for d in c.differences] for c in audit.checks if not c.holds}


def test_an_untouched_contest_recomputes_every_check_with_content(konkurs: Konkurs, published: str) -> None:
    audit = konkurs.audit.audit_contest(published)
    counts = {c.check: c.recomputed for c in audit.checks}
    assert set(counts) == {"seal", "intake", "screening", "assignment", "judging", "tally", "results",
                           "publication", "promotion"}
    assert counts["seal"] == 5  # screening, judging, tally, declaration, publication
    assert all(counts[check] > 0 for check in ("intake", "screening", "assignment", "judging", "tally",
                                               "results", "publication"))
    assert audit.rules_version == RULES_VERSION
    assert audit.spec_hash == konkurs.store.get_contest(published).fingerprint


def test_results_forged_through_the_aggregate_are_caught(konkurs: Konkurs, published: str) -> None:
    """An insider appends a declaration with two places swapped: the chain is intact, the
    recomputation is not."""
    contest = konkurs.store.get_contest(published)
    assert contest.results is not None
    first, second = contest.results.winners[0], contest.results.winners[1]
    swapped = [first.model_copy(update={"reference": second.reference}),
               second.model_copy(update={"reference": first.reference}),
               *contest.results.winners[2:]]
    contest._results_declared(results=contest.results.model_copy(update={"winners": swapped}),
                              command_id="forged")
    konkurs.store.save(contest, actor=OPERATOR)

    assert konkurs.chain.verify() is None
    differences = failing(konkurs.audit.audit_contest(published))["results"]
    assert (f"results: winners, nomination {first.nomination}, place {first.place}, reference: "
            f"recorded {second.reference}, recomputed {first.reference}") in differences


def test_a_conflicted_expert_assigned_after_the_fact_is_caught(konkurs: Konkurs, published: str) -> None:
    spec = konkurs.store.get_contest(published).spec
    judging = next(j for j in konkurs.reads.judgings(spec).values() if j.conflicts)
    (submission, expert), reason = next(iter(judging.conflicts.items()))
    judging.assign(pairs=[Pair(submission=submission, expert=expert)], conflicts=[], shortfalls=[],
                   command_id="forged")
    konkurs.store.save(judging, actor=OPERATOR)

    assert failing(konkurs.audit.audit_contest(published))["assignment"] == [
        f"assignment: nomination {judging.nomination}, {submission} to {expert}: recorded assigned, "
        f"recomputed {reason}"]


def test_a_recorded_conflict_that_is_none_is_caught(konkurs: Konkurs, published: str) -> None:
    spec = konkurs.store.get_contest(published).spec
    judging: Judging = konkurs.store.repository.get(judging_id(published, spec.nominations[0].code))
    submission, [expert, *_] = next(iter(judging.assigned.items()))
    judging.assign(pairs=[], shortfalls=[], command_id="forged", conflicts=[
        {"submission": submission, "expert": expert, "reason": "same organisation as the applicant"}])
    konkurs.store.save(judging, actor=OPERATOR)

    [difference] = failing(konkurs.audit.audit_contest(published))["assignment"]
    assert difference.endswith("recorded kept apart: same organisation as the applicant, "
                               "recomputed no conflict")


def test_an_unknown_rules_version_is_reported_not_recomputed_silently(
    konkurs: Konkurs, published: str
) -> None:
    contest = konkurs.store.get_contest(published)
    seal = konkurs.chain.seal(contest.spec)
    contest.published = False  # what a forger with the aggregate in hand can do
    contest.publish_results("forged", seal.model_copy(update={"rules_version": "99"}))
    konkurs.store.save(contest, actor=OPERATOR)

    [difference] = failing(konkurs.audit.audit_contest(published))["seal"]
    assert "rules version: recorded 99, recomputed this release recomputes 1 only" in difference


def test_old_records_without_seals_still_recompute(konkurs: Konkurs, published: str) -> None:
    """Results recorded before seals existed hold no chain head: noted, and recomputed all the same."""
    contest = konkurs.store.get_contest(published)
    contest.published = False
    contest.publish_results("republished-by-an-old-release", None)
    konkurs.store.save(contest, actor=OPERATOR)

    audit = konkurs.audit.audit_contest(published)
    assert audit.holds
    seal_check = next(c for c in audit.checks if c.check == "seal")
    assert any("recorded before results carried seals" in note for note in seal_check.notes)
    assert isinstance(konkurs.chain.seal(contest.spec), Seal)
    assert Contest.ResultsPublished.class_version == 2  # type: ignore[attr-defined]
