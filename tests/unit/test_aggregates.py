"""Aggregates: the contest's phase machine, submission statuses, reviews, ids, and the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest

from domain.aggregates import Applicant, Ballot, Contest, Review, Submission, SubmissionStatus
from domain.errors import InvalidCommand
from domain.ids import ballot_id, contest_id, review_id, submission_id
from domain.outcomes import (
    ContestResults,
    JudgingOutcome,
    NominationRanking,
    RankedEntry,
    ScreeningOutcome,
    Standing,
    VoteTally,
)
from domain.phases import Phase, PhasePlan
from domain.spec import ApplicantKind
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, make_spec

SLUG = "test-contest"
START = datetime(2030, 1, 1, tzinfo=UTC)
SPEC = make_spec(START, SLUG)
PLAN = SPEC.phase_plan()
RUNNING = [Phase.ANNOUNCED, Phase.COLLECTING, Phase.SCREENING, Phase.JUDGING, Phase.VOTING,
           Phase.RESULTS]

SCREENING = ScreeningOutcome(collection_closed_at=7, admitted=2,
                             rejected={"applicant kind business not admitted": 1})
JUDGING = JudgingOutcome(
    judging_closed_at=19, reviews_counted=4, reviews_late=1,
    rankings=[
        NominationRanking(nomination="HC-1", entries=[
            RankedEntry(reference="S-001", place=1, score=88.5, reviews=2),
            RankedEntry(reference="S-002", place=2, score=88.5, reviews=1, settled_by="reviews"),
        ], unreviewed=["S-003"]),
        NominationRanking(nomination="HC-2", entries=[]),
    ],
    shortlist={"HC-1": ["S-001", "S-002"], "HC-2": []},
)
TALLY = VoteTally(voting_closed_at=31, accepted=3, late=1,
                  by_submission={"HC-1": {"S-001": 1, "S-002": 2}},
                  by_region={"23": {"HC-1": {"S-002": 2}}, "75": {"HC-1": {"S-001": 1}}})
RESULTS = ContestResults(
    winners=[Standing(nomination="HC-1", place=1, reference="S-001", score=88.5, votes=1)],
    people_choice=[Standing(nomination="HC-1", place=1, reference="S-002", score=88.5, votes=2)],
)


def new_contest() -> Contest:
    return Contest(
        slug=SLUG, spec=SPEC.model_dump(mode="json"), fingerprint=SPEC.fingerprint(), plan=PLAN,
        command_id="announce",
    )


def advance(contest: Contest, until: Phase) -> Contest:
    while contest.phase != until:
        contest.change_phase(contest.phase, "deadline", "", f"close-{contest.phase}")
    return contest


def closed_contest() -> Contest:
    return advance(new_contest(), Phase.CLOSED)


def cancelled_contest() -> Contest:
    contest = new_contest()
    contest.cancel("funding withdrawn", "cancel")
    return contest


def event_names(aggregate: Any) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


# The contest's phase machine


def test_a_contest_is_announced_with_its_plan() -> None:
    contest = new_contest()
    assert contest.id == contest_id(SLUG)
    assert contest.phase == Phase.ANNOUNCED
    assert contest.plan == PLAN
    assert contest.spec == SPEC
    assert contest.commands == {"announce"}


def test_a_contest_passes_through_every_phase_of_its_plan_and_then_closes() -> None:
    contest = new_contest()
    seen = [contest.phase]
    while not contest.is_over:
        contest.change_phase(contest.phase, "deadline", "", f"close-{contest.phase}")
        seen.append(contest.phase)
    assert seen == [*RUNNING, Phase.CLOSED]
    assert event_names(contest) == ["Announced"] + ["PhaseChanged"] * 6


def test_a_contest_without_a_vote_goes_from_judging_straight_to_results() -> None:
    spec = make_spec(START, SLUG, voting=False)
    contest = Contest(slug=SLUG, spec=spec.model_dump(mode="json"), fingerprint=spec.fingerprint(),
                      plan=spec.phase_plan(), command_id="announce")
    advance(contest, Phase.JUDGING)
    contest.change_phase(Phase.JUDGING, "operator", "panel finished early", "close-judging")
    assert contest.phase == Phase.RESULTS


def test_a_phase_change_records_what_closed_what_opened_and_why() -> None:
    contest = new_contest()
    contest.collect_events()
    contest.change_phase(Phase.ANNOUNCED, "operator", "opened early", "open")
    [changed] = contest.collect_events()
    assert isinstance(changed, Contest.PhaseChanged)
    assert (changed.closed, changed.opened, changed.cause, changed.reason, changed.command_id) == (
        Phase.ANNOUNCED, Phase.COLLECTING, "operator", "opened early", "open"
    )


@pytest.mark.parametrize("wrong", [Phase.COLLECTING, Phase.RESULTS, Phase.CLOSED])
def test_closing_a_phase_other_than_the_current_one_raises_invalid_command(wrong: Phase) -> None:
    contest = new_contest()
    contest.collect_events()
    with pytest.raises(InvalidCommand, match=f"in phase announced, not {wrong}"):
        contest.change_phase(wrong, "operator", "", "wrong")
    assert contest.phase == Phase.ANNOUNCED
    assert contest.collect_events() == []
    assert not contest.has_applied("wrong")


@pytest.mark.parametrize("finished", [closed_contest, cancelled_contest], ids=["closed", "cancelled"])
def test_closing_the_phase_of_a_finished_contest_raises_invalid_command(
    finished: Callable[[], Contest],
) -> None:
    contest = finished()
    with pytest.raises(InvalidCommand):
        contest.change_phase(contest.phase, "operator", "", "again")


@pytest.mark.parametrize("phase", RUNNING)
def test_a_running_contest_can_be_cancelled_in_any_phase(phase: Phase) -> None:
    contest = advance(new_contest(), phase)
    contest.collect_events()
    contest.cancel("funding withdrawn", "cancel")
    assert contest.phase == Phase.CANCELLED
    assert contest.is_over
    [cancelled] = contest.collect_events()
    assert isinstance(cancelled, Contest.Cancelled)
    assert (cancelled.in_phase, cancelled.reason) == (phase, "funding withdrawn")


@pytest.mark.parametrize("finished", [closed_contest, cancelled_contest], ids=["closed", "cancelled"])
def test_a_finished_contest_can_be_neither_cancelled_nor_extended(
    finished: Callable[[], Contest],
) -> None:
    contest = finished()
    contest.collect_events()
    with pytest.raises(InvalidCommand, match=f"already {contest.phase}"):
        contest.cancel("again", "cancel-again")
    with pytest.raises(InvalidCommand, match=f"already {contest.phase}"):
        contest.extend_deadline(Phase.RESULTS, START + 365 * DAY, "later", "extend")
    assert contest.collect_events() == []


def test_a_deadline_extension_moves_that_phase_only_and_keeps_the_previous_deadline() -> None:
    contest = new_contest()
    contest.collect_events()
    before = PLAN.window(Phase.COLLECTING).closes_at
    contest.extend_deadline(Phase.COLLECTING, before + 12 * DAY, "more time", "extend")
    assert contest.plan.window(Phase.COLLECTING).closes_at == before + 12 * DAY
    assert [w for w in contest.plan.windows if w.phase != Phase.COLLECTING] == [
        w for w in PLAN.windows if w.phase != Phase.COLLECTING
    ]
    [extended] = contest.collect_events()
    assert (extended.previous, extended.closes_at) == (before, before + 12 * DAY)


def test_every_contest_command_records_its_command_id() -> None:
    contest = new_contest()
    contest.extend_deadline(Phase.COLLECTING, START + 70 * DAY, "", "extend")
    advance(contest, Phase.RESULTS)
    contest.conclude_screening(SCREENING, "screen")
    contest.conclude_judging(JUDGING, "judge")
    contest.record_tally(TALLY, "tally")
    contest.declare_results(RESULTS, "declare")
    contest.publish_results("publish")
    contest.cancel("late objection", "cancel")
    assert contest.commands == {
        "announce", "extend", "close-announced", "close-collecting", "close-screening",
        "close-judging", "close-voting", "screen", "judge", "tally", "declare", "publish", "cancel",
    }
    assert all(contest.has_applied(command) for command in contest.commands)
    assert not contest.has_applied("close-results")
    assert (contest.screening, contest.judging, contest.tally, contest.results) == (
        SCREENING, JUDGING, TALLY, RESULTS
    )
    assert contest.published


# Submissions

APPLICANT = Applicant(
    name="ГБУ «Центр семьи»", kind=ApplicantKind.STATE_INSTITUTION, region="75",
    inn="7536012345", municipality="Чита",
)


def new_submission(reference: str = "S-001", draft: bool = False) -> Submission:
    return Submission(
        contest=SLUG, reference=reference, nomination="HC-1", title="Запись к врачу онлайн",
        applicant=APPLICANT, summary="Очередь сократилась вдвое", draft=draft,
    )


def submission_in(status: SubmissionStatus) -> Submission:
    submission = new_submission(draft=status == SubmissionStatus.DRAFT)
    if status == SubmissionStatus.WITHDRAWN:
        submission.withdraw("changed our mind")
    elif status == SubmissionStatus.REJECTED:
        submission.reject("late")
    elif status in (SubmissionStatus.ADMITTED, SubmissionStatus.PLACED):
        submission.admit()
    if status == SubmissionStatus.PLACED:
        submission.award_place(1, 88.5)
    assert submission.status == status
    return submission


STEPS: dict[str, Callable[[Submission], None]] = {
    "admit": lambda s: s.admit(),
    "reject": lambda s: s.reject("ineligible"),
    "withdraw": lambda s: s.withdraw("changed our mind"),
    "place": lambda s: s.award_place(2, 71.25),
}


def test_a_new_submission_is_submitted_with_its_applicant() -> None:
    submission = new_submission()
    assert submission.id == submission_id(SLUG, "S-001")
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.applicant == APPLICANT
    assert (submission.place, submission.rejection_reason) == (None, None)


@pytest.mark.parametrize(
    ("step", "status"),
    [("admit", SubmissionStatus.ADMITTED), ("reject", SubmissionStatus.REJECTED),
     ("withdraw", SubmissionStatus.WITHDRAWN)],
)
def test_a_submitted_entry_can_be_admitted_rejected_or_withdrawn(
    step: str, status: SubmissionStatus
) -> None:
    submission = new_submission()
    STEPS[step](submission)
    assert submission.status == status


def test_a_rejected_entry_keeps_its_reason() -> None:
    submission = new_submission()
    submission.reject("applicant kind business not admitted")
    assert submission.rejection_reason == "applicant kind business not admitted"


def test_an_admitted_entry_can_be_awarded_a_place() -> None:
    submission = submission_in(SubmissionStatus.ADMITTED)
    submission.award_place(2, 71.25)
    assert (submission.status, submission.place) == (SubmissionStatus.PLACED, 2)


@pytest.mark.parametrize(
    ("step", "status"),
    [
        *[(step, status) for step in ("admit", "reject", "withdraw")
          for status in SubmissionStatus if status != SubmissionStatus.SUBMITTED],
        *[("place", status) for status in SubmissionStatus if status != SubmissionStatus.ADMITTED],
    ],
)
def test_a_submission_refuses_a_step_its_status_does_not_allow(
    step: str, status: SubmissionStatus
) -> None:
    submission = submission_in(status)
    submission.collect_events()
    with pytest.raises(InvalidCommand, match=f"submission S-001: it is {status}"):
        STEPS[step](submission)
    assert submission.status == status
    assert submission.collect_events() == []


# Reviews


def test_a_rescored_review_keeps_both_scorecards_in_the_log(konkurs: Konkurs) -> None:
    review = Review(contest=SLUG, submission="S-001", nomination="HC-1", expert="E1",
                    scores={"impact": 6, "replicable": 2})
    konkurs.store.save(review, actor=OPERATOR)
    review.rescore(scores={"impact": 9, "replicable": 4})
    konkurs.store.save(review, actor=OPERATOR)
    log = [(e.originator_id, e.originator_version, e.topic, e.state["scores"])
           for e in konkurs.store.read_log()]
    assert log == [
        (review_id(SLUG, "S-001", "E1"), 1, topic_of(Review.Scored),
         {"impact": 6.0, "replicable": 2.0}),
        (review_id(SLUG, "S-001", "E1"), 2, topic_of(Review.Rescored),
         {"impact": 9.0, "replicable": 4.0}),
    ]
    assert konkurs.store.repository.get(review.id).scores == {"impact": 9.0, "replicable": 4.0}


# Deterministic ids


def test_an_id_is_the_same_uuid5_for_the_same_business_key_every_time() -> None:
    assert contest_id(SLUG) == UUID("290c3823-78b1-50a5-911a-b4846ea7d255")
    assert submission_id(SLUG, "S-001") == UUID("5a1d1c4a-2a72-54f6-9836-73ca59656ace")
    assert review_id(SLUG, "S-001", "E1") == review_id(SLUG, "S-001", "E1")
    assert ballot_id(SLUG, "HC-1", "ab12") == ballot_id(SLUG, "HC-1", "ab12")
    assert {i.version for i in (contest_id(SLUG), review_id(SLUG, "S", "E"),
                                 ballot_id(SLUG, "HC-1", "ab12"))} == {5}


def test_aggregates_take_the_id_of_their_business_key() -> None:
    review = Review(contest=SLUG, submission="S-001", nomination="HC-1", expert="E1", scores={})
    ballot = Ballot(contest=SLUG, nomination="HC-1", voter="ab12", submission="S-001", region="75")
    assert new_contest().id == contest_id(SLUG)
    assert new_submission().id == submission_id(SLUG, "S-001")
    assert review.id == review_id(SLUG, "S-001", "E1")
    assert ballot.id == ballot_id(SLUG, "HC-1", "ab12")


def test_different_business_keys_give_different_ids() -> None:
    ids = [
        contest_id("a-1"), contest_id("a-2"),
        submission_id("a-1", "S1"), submission_id("a-1", "S2"), submission_id("a-2", "S1"),
        review_id("a-1", "S1", "E1"), review_id("a-1", "S1", "E2"), review_id("a-1", "S2", "E1"),
        ballot_id("a-1", "HC-1", "v1"), ballot_id("a-1", "HC-1", "v2"),
        ballot_id("a-1", "HC-2", "v1"), ballot_id("a-2", "HC-1", "v1"),
    ]
    assert len(set(ids)) == len(ids)


def test_review_ids_differ_when_a_reference_contains_a_slash() -> None:
    assert review_id(SLUG, "2023/045", "E1") != review_id(SLUG, "2023", "045/E1")


# The store


def state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def test_aggregates_come_back_from_the_store_as_they_were_saved(
    konkurs: Konkurs, store_env: dict[str, str]
) -> None:
    contest = new_contest()
    contest.extend_deadline(Phase.COLLECTING, START + 70 * DAY + 0.5 * DAY, "more time", "extend")
    advance(contest, Phase.RESULTS)
    contest.conclude_screening(SCREENING, "screen")
    contest.conclude_judging(JUDGING, "judge")
    contest.record_tally(TALLY, "tally")
    contest.declare_results(RESULTS, "declare")
    submission = submission_in(SubmissionStatus.PLACED)
    review = Review(contest=SLUG, submission="S-001", nomination="HC-1", expert="E1",
                    scores={"impact": 7.5, "replicable": 4.0})
    review.rescore(scores={"impact": 8.0, "replicable": 3.0})
    ballot = Ballot(contest=SLUG, nomination="HC-1", voter="ab12", submission="S-001", region="75")
    saved = [contest, submission, review, ballot]
    konkurs.store.save(*saved, actor=OPERATOR)

    fresh = Konkurs(env=store_env)
    try:
        reloaded = [fresh.store.repository.get(a.id) for a in saved]
    finally:
        fresh.close()
    for original, copy in zip(saved, reloaded, strict=True):
        assert type(copy) is type(original)
        assert state(copy) == state(original)
    contest_copy, submission_copy = reloaded[0], reloaded[1]
    assert isinstance(contest_copy.plan, PhasePlan)
    assert contest_copy.plan.window(Phase.COLLECTING).closes_at == START + 70.5 * DAY
    assert isinstance(contest_copy.screening, ScreeningOutcome)
    assert isinstance(contest_copy.judging, JudgingOutcome)
    assert contest_copy.judging.ranking("HC-1").entries[1].settled_by == "reviews"
    assert isinstance(contest_copy.tally, VoteTally)
    assert isinstance(contest_copy.results, ContestResults)
    assert contest_copy.results.people_choice[0].reference == "S-002"
    assert isinstance(submission_copy.applicant, Applicant)
    assert submission_copy.applicant.kind is ApplicantKind.STATE_INSTITUTION
    assert (submission_copy.status, submission_copy.place) == (SubmissionStatus.PLACED, 1)


def test_a_region_code_read_as_a_number_becomes_two_digits_again() -> None:
    assert Applicant(name="МБОУ", kind="ngo", region=5).region == "05"  # type: ignore[arg-type]
    assert Applicant(name="МБОУ", kind="ngo", region="75").region == "75"
