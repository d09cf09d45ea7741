"""Every example in examples/ runs in-process to published results with something to audit:
rejections at screening, a recusal, winners in every nomination that admitted anyone, a vote
where the spec has one, and for the federal example, regional winners judged again.

An example takes seconds to run, so each runs once and every check below looks at that run."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.aggregates import Contest, Submission
from domain.ids import contest_id
from domain.phases import Phase
from domain.rules.eligibility import NOT_IN_REGISTRY
from services.ballots import ALREADY_VOTED, NOT_SHORTLISTED
from services.konkurs import Konkurs
from store.log import topic_of
from tests.example_contests import STAGE_REGIONS, run_example
from tests.factories import OPERATOR

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_an_example_runs_to_published_results_with_something_to_audit(
    konkurs: Konkurs, tmp_path: Path, path: Path
) -> None:
    slugs = run_example(konkurs, path, tmp_path)
    for check in (
        every_contest_of_an_example_publishes_its_results,
        every_nomination_that_admitted_anyone_has_winners,
        screening_rejects_the_planted_entries_with_their_reasons,
        an_expert_recuses_and_the_submission_is_still_fully_reviewed,
        a_vote_is_tallied_with_refusals_where_the_spec_has_one,
        regional_winners_are_judged_again_at_the_federal_stage,
        each_stage_records_what_became_of_its_promotion,
        a_participation_drive_is_reviewed_while_collecting,
        the_auditor_recomputes_every_published_result,
        a_change_injected_into_a_published_result_is_caught,  # last: it forges the record
    ):
        check(konkurs, slugs)


def awards_places(konkurs: Konkurs, slug: str) -> bool:
    """Judging or a vote: a marathon with neither has no places, its outcome is participation."""
    spec = konkurs.store.get_contest(slug).spec
    return spec.judging.enabled or spec.voting.enabled


def every_contest_of_an_example_publishes_its_results(konkurs: Konkurs, example: list[str]) -> None:
    for slug in example:
        contest = konkurs.store.get_contest(slug)
        assert contest.published, slug
        assert contest.phase == Phase.CLOSED, slug


def every_nomination_that_admitted_anyone_has_winners(konkurs: Konkurs, example: list[str]) -> None:
    for slug in example:
        results = konkurs.store.get_contest(slug).results
        assert results is not None
        if not awards_places(konkurs, slug):
            assert not results.winners and not results.people_choice, slug  # none invented
            continue
        admitted = {entry.nomination for entry in konkurs.reads.admitted(slug)}
        assert admitted, slug
        assert {standing.nomination for standing in results.winners} == admitted, slug


def screening_rejects_the_planted_entries_with_their_reasons(
    konkurs: Konkurs, example: list[str]
) -> None:
    for slug in example:
        contest = konkurs.store.get_contest(slug)
        assert contest.screening is not None
        rejected = contest.screening.rejected
        assert rejected.get("applicant kind not admitted", 0) >= 1, slug
        spec = contest.spec
        if spec.eligibility.registry is not None:
            assert rejected[NOT_IN_REGISTRY] == 2, slug
            entered = {e.originator_id for e in konkurs.store.contest_events(slug, [Submission.Submitted])}
            reasons = [
                logged.state["reason"]
                for logged in konkurs.store.read_log([topic_of(Submission.Rejected)])
                if logged.originator_id in entered
            ]
            assert sum(reason.startswith(f"{NOT_IN_REGISTRY} on ") for reason in reasons) == 2
        if spec.eligibility.regions is not None:
            assert rejected["region outside the contest"] == 1, slug
        if any(n.max_age is not None for n in spec.nominations):
            assert rejected["above the maximum age"] >= 1, slug


def an_expert_recuses_and_the_submission_is_still_fully_reviewed(
    konkurs: Konkurs, example: list[str]
) -> None:
    for slug in example:
        contest = konkurs.store.get_contest(slug)
        if not contest.spec.judging.enabled:
            assert contest.judging is None
            continue
        judgings = konkurs.reads.judgings(contest.spec).values()
        recusals = [
            (ref, expert)
            for judging in judgings
            for ref, experts in judging.recused.items()
            for expert in experts
        ]
        assert len(recusals) == 1, slug
        ((reference, expert),) = recusals
        assert contest.judging is not None
        ranked = {entry.reference: entry for ranking in contest.judging.rankings for entry in ranking.entries}
        assert ranked[reference].reviews >= contest.spec.judging.required_reviews
        assert not any(j.is_assigned(reference, expert) for j in judgings)


def a_vote_is_tallied_with_refusals_where_the_spec_has_one(konkurs: Konkurs, example: list[str]) -> None:
    for slug in example:
        contest = konkurs.store.get_contest(slug)
        if not contest.spec.voting.enabled:
            assert contest.tally is None
            continue
        assert contest.tally is not None and contest.tally.accepted > 0
        assert contest.tally.rejected == {ALREADY_VOTED: 1, NOT_SHORTLISTED: 1}
        assert contest.results is not None
        voting = contest.spec.voting
        assert bool(contest.results.people_choice) == (voting.award == "people_choice")
        if voting.ballot == "winners":  # citizens vote only for the practices judging placed
            placed = {(w.nomination, w.reference) for w in contest.results.winners}
            assert {(nomination, reference) for nomination, votes in contest.tally.by_submission.items()
                    for reference in votes} <= placed


def regional_winners_are_judged_again_at_the_federal_stage(konkurs: Konkurs, example: list[str]) -> None:
    federal, *stages = example
    spec = konkurs.store.get_contest(federal).spec
    if spec.regional_stages is None:
        return
    assert len(stages) == len(STAGE_REGIONS)
    promoted = {
        logged.state["reference"]: logged.state["provenance"]
        for logged in konkurs.store.contest_events(federal, [Submission.Submitted])
        if logged.state.get("provenance")
    }
    assert {p["stage"] for p in promoted.values()} == set(stages)
    assert len(promoted) == len(stages) * len(spec.nominations)
    admitted = {entry.reference for entry in konkurs.reads.admitted(federal)}
    judging = konkurs.store.get_contest(federal).judging
    assert judging is not None
    ranked = {entry.reference for ranking in judging.rankings for entry in ranking.entries}
    assert set(promoted) <= admitted & ranked
    assert all(p["place"] == 1 for p in promoted.values())


def each_stage_records_what_became_of_its_promotion(konkurs: Konkurs, example: list[str]) -> None:
    settled = {
        logged.originator_id: logged
        for logged in konkurs.store.read_log([topic_of(Contest.Promoted), topic_of(Contest.PromotionRefused)])
    }
    for slug in example:
        promotion = konkurs.store.get_contest(slug).spec.promotion
        if promotion is None:
            continue
        outcome = settled[contest_id(slug)]
        if promotion.federal in example:
            assert outcome.topic == topic_of(Contest.Promoted)
        else:  # an example run alone: its federal stage was never announced
            assert outcome.topic == topic_of(Contest.PromotionRefused)
            assert "has not been announced" in outcome.state["reason"]


def a_participation_drive_is_reviewed_while_collecting(konkurs: Konkurs, example: list[str]) -> None:
    for slug in example:
        if konkurs.store.get_contest(slug).spec.participation is None:
            continue
        reviews = [
            logged
            for logged in konkurs.store.read_log([topic_of(Contest.ParticipationReviewed)])
            if logged.originator_id == contest_id(slug)
        ]
        assert len(reviews) == 1
        assert reviews[0].state["submissions"] > 0 and reviews[0].state["laggards"]


def the_auditor_recomputes_every_published_result(konkurs: Konkurs, example: list[str]) -> None:
    for slug in example:
        audit = konkurs.audit.audit_contest(slug)
        assert audit.holds, [d.describe() for d in audit.differences]
        recomputed = {check.check: check.recomputed for check in audit.checks}
        judged = ("assignment", "judging") if konkurs.store.get_contest(slug).spec.judging.enabled else ()
        placed = ("results", "publication") if awards_places(konkurs, slug) else ()
        assert all(
            recomputed[name] > 0 for name in ("seal", "screening", *judged, *placed)
        ), (slug, recomputed)
        assert (recomputed["tally"] > 0) == konkurs.store.get_contest(slug).spec.voting.enabled
        promotes = konkurs.store.get_contest(slug).spec.promotion is not None and example[0] != slug
        if promotes or konkurs.store.get_contest(slug).spec.regional_stages is not None:
            assert recomputed["promotion"] > 0, slug
    assert konkurs.chain.verify() is None


def a_change_injected_into_a_published_result_is_caught(konkurs: Konkurs, example: list[str]) -> None:
    """Two winners' places swapped in a declaration appended after publication."""
    for slug in example:
        contest = konkurs.store.get_contest(slug)
        assert contest.results is not None
        if not awards_places(konkurs, slug):
            continue  # no places to swap: the outcome is the participation record
        first, second = contest.results.winners[:2]
        swapped = [
            first.model_copy(update={"reference": second.reference}),
            second.model_copy(update={"reference": first.reference}),
            *contest.results.winners[2:],
        ]
        contest._results_declared(
            results=contest.results.model_copy(update={"winners": swapped}), command_id="forged"
        )
        konkurs.store.save(contest, actor=OPERATOR)
        audit = konkurs.audit.audit_contest(slug)
        [results] = [check for check in audit.checks if check.check == "results"]
        assert not audit.holds and not results.holds, slug
        assert any(
            f"place {first.place}, reference: recorded {second.reference}" in d.describe()
            for d in results.differences
        ), slug
