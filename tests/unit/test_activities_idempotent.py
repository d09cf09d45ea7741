"""Activities are retried by Temporal: a second run of the same call must write nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from pydantic import BaseModel
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.contest import ContestActivities
from domain.aggregates import Contest, Submission, SubmissionStatus
from domain.commands.contest import (
    Announce,
    RecordCancellation,
    RecordExtension,
    RecordPhaseChange,
    ReviewParticipation,
)
from domain.commands.intake import BallotInput, CastBallots, Submit
from domain.commands.judging import ConcludeNomination, EnrollExperts, RemindExperts
from domain.commands.order import CommandResult, ContestOrder
from domain.commands.senders import VerifySender
from domain.phases import Phase, PhasePlan
from domain.spec import ApplicantKind, ContestSpec
from services.konkurs import Konkurs
from tests.factories import (
    OPERATOR,
    cards_for_assignments,
    close_phase,
    expert_panel,
    make_spec,
    practice_forms,
    record_cards,
)

SLUG = "test-contest"
VOTER_KEY = b"test-key"
LogRow = tuple[int, UUID, int, str]


@dataclass(frozen=True)
class ContestSetup:
    spec: ContestSpec
    plan: PhasePlan


@pytest.fixture
def contest() -> ContestSetup:
    spec = make_spec(datetime.now(UTC) + timedelta(days=1), SLUG)
    return ContestSetup(spec=spec, plan=spec.phase_plan())


def log_of(konkurs: Konkurs) -> list[LogRow]:
    return [(e.position, e.originator_id, e.originator_version, e.topic) for e in konkurs.store.read_log()]


# Driving a contest through the domain, step by step, as the workflow would.

Stage = Callable[[Konkurs, ContestSetup], None]


def nothing(konkurs: Konkurs, c: ContestSetup) -> None:
    pass


def announced(konkurs: Konkurs, c: ContestSetup) -> None:
    konkurs.contests.announce(
        Announce(spec=c.spec, plan=c.plan, command_id=f"{SLUG}:announce", actor=OPERATOR)
    )


def collecting(konkurs: Konkurs, c: ContestSetup) -> None:
    announced(konkurs, c)
    close_phase(konkurs, SLUG, Phase.ANNOUNCED, f"{SLUG}:close:announced")


ENTRIES = [  # reference, nomination, applicant kind
    ("A1", "HC-1", ApplicantKind.NGO),
    ("A2", "HC-1", ApplicantKind.STATE_INSTITUTION),
    ("A3", "HC-1", ApplicantKind.BUSINESS),
    ("B1", "HC-2", ApplicantKind.NGO),
]


def submitted(konkurs: Konkurs, c: ContestSetup) -> None:
    collecting(konkurs, c)
    konkurs.submissions.submit(
        Submit(slug=SLUG, forms=practice_forms(ENTRIES), actor=OPERATOR)
    )


def drive_submitted(konkurs: Konkurs, c: ContestSetup) -> None:
    """Submitted, in a contest whose spec sets a participation drive: two per region."""
    drive = {"target": {"absolute": 2}, "review": {"every_days": 7}}
    spec = ContestSpec.model_validate(c.spec.model_dump(mode="json") | {"participation": drive})
    submitted(konkurs, ContestSetup(spec=spec, plan=c.plan))


def collection_closed(konkurs: Konkurs, c: ContestSetup) -> None:
    submitted(konkurs, c)
    konkurs.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=expert_panel(4), actor=OPERATOR))
    close_phase(konkurs, SLUG, Phase.COLLECTING, f"{SLUG}:close:collecting")


def judging_opened(konkurs: Konkurs, c: ContestSetup) -> None:
    collection_closed(konkurs, c)
    konkurs.results.conclude_screening(
        ContestOrder(slug=SLUG, command_id=f"{SLUG}:conclude_screening", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.SCREENING, f"{SLUG}:close:screening")


def experts_assigned(konkurs: Konkurs, c: ContestSetup) -> None:
    judging_opened(konkurs, c)
    konkurs.judging.assign_experts(
        ContestOrder(slug=SLUG, command_id=f"{SLUG}:assign_experts", actor=OPERATOR)
    )


IMPACT = {"A1": 9, "A2": 6, "B1": 8}


def judging_closed(konkurs: Konkurs, c: ContestSetup) -> None:
    experts_assigned(konkurs, c)
    record_cards(konkurs, SLUG, cards_for_assignments(konkurs, SLUG, lambda ref, _: IMPACT[ref]))
    close_phase(konkurs, SLUG, Phase.JUDGING, f"{SLUG}:close:judging")


def voting_closed(konkurs: Konkurs, c: ContestSetup) -> None:
    judging_closed(konkurs, c)
    konkurs.results.conclude_judging(
        ContestOrder(slug=SLUG, command_id=f"{SLUG}:conclude_judging", actor=OPERATOR)
    )
    konkurs.ballots.cast_ballots(
        CastBallots(
            slug=SLUG,
            ballots=[
                BallotInput(
                    voter=f"v{voter}", nomination=nomination, submission=ref, region=region, label=f"v{voter}"
                )
                for voter, (nomination, ref, region) in enumerate(
                    [
                        ("HC-1", "A1", "23"),
                        ("HC-1", "A2", "23"),
                        ("HC-1", "A2", "75"),
                        ("HC-2", "B1", "75"),
                    ]
                )
            ],
            voter_key=VOTER_KEY,
            strict=True,
            actor=OPERATOR,
        )
    )
    close_phase(konkurs, SLUG, Phase.VOTING, f"{SLUG}:close:voting")


def tallied(konkurs: Konkurs, c: ContestSetup) -> None:
    voting_closed(konkurs, c)
    konkurs.results.tally_votes(ContestOrder(slug=SLUG, command_id=f"{SLUG}:tally_votes", actor=OPERATOR))


def results_closed(konkurs: Konkurs, c: ContestSetup) -> None:
    tallied(konkurs, c)
    konkurs.results.declare_results(
        ContestOrder(slug=SLUG, command_id=f"{SLUG}:declare_results", actor=OPERATOR)
    )
    close_phase(konkurs, SLUG, Phase.RESULTS, f"{SLUG}:close:results")


def cancelled(konkurs: Konkurs, c: ContestSetup) -> None:
    collecting(konkurs, c)
    konkurs.contests.cancel(
        RecordCancellation(slug=SLUG, reason="funding withdrawn", command_id=f"{SLUG}:cancel", actor=OPERATOR)
    )


def closed(konkurs: Konkurs, c: ContestSetup) -> None:
    results_closed(konkurs, c)
    konkurs.results.publish_results(
        ContestOrder(slug=SLUG, command_id=f"{SLUG}:publish_results", actor=OPERATOR)
    )


def conclusion(name: str) -> Callable[[ContestSetup], BaseModel]:
    return lambda c: ContestOrder(slug=SLUG, command_id=f"{SLUG}:{name}", actor=OPERATOR)


CASES: dict[str, tuple[Stage, Callable[[ContestSetup], BaseModel]]] = {
    "announce": (
        nothing,
        lambda c: Announce(
            spec=c.spec.model_dump(mode="json"), plan=c.plan, command_id=f"{SLUG}:announce", actor=OPERATOR
        ),
    ),
    "change_phase": (
        announced,
        lambda c: RecordPhaseChange(
            slug=SLUG,
            closed=Phase.ANNOUNCED,
            cause="deadline",
            reason="",
            command_id=f"{SLUG}:close:announced",
            actor=OPERATOR,
        ),
    ),
    "extend_deadline": (
        collecting,
        lambda c: RecordExtension(
            slug=SLUG,
            phase=Phase.COLLECTING,
            closes_at=c.plan.window(Phase.COLLECTING).closes_at + timedelta(days=5),
            reason="more time",
            command_id=f"{SLUG}:update:extend-1",
            actor=OPERATOR,
        ),
    ),
    "cancel_contest": (
        submitted,
        lambda c: RecordCancellation(
            slug=SLUG, reason="funding withdrawn", command_id=f"{SLUG}:update:cancel-1", actor=OPERATOR
        ),
    ),
    "conclude_screening": (collection_closed, conclusion("conclude_screening")),
    "assign_experts": (judging_opened, conclusion("assign_experts")),
    "remind_experts": (
        experts_assigned,
        lambda c: RemindExperts(
            slug=SLUG,
            nomination="HC-1",
            closes_at=c.plan.window(Phase.JUDGING).closes_at,
            command_id=f"{SLUG}:remind:HC-1",
            actor=OPERATOR,
        ),
    ),
    "conclude_nomination": (
        judging_closed,
        lambda c: ConcludeNomination(
            slug=SLUG, nomination="HC-1", command_id=f"{SLUG}:conclude:HC-1", actor=OPERATOR
        ),
    ),
    "conclude_judging": (judging_closed, conclusion("conclude_judging")),
    "tally_votes": (voting_closed, conclusion("tally_votes")),
    "declare_results": (tallied, conclusion("declare_results")),
    "publish_results": (results_closed, conclusion("publish_results")),
    "review_participation": (
        drive_submitted,
        lambda c: ReviewParticipation(
            slug=SLUG,
            moment=c.plan.window(Phase.ANNOUNCED).closes_at + timedelta(days=7),
            command_id=f"{SLUG}:participation:1",
            actor=OPERATOR,
        ),
    ),
}


# Activities that only check and write nothing, tested below on their own.
CHECKS = {"verify_sender", "open_cards"}  # they read and write nothing


def test_every_activity_is_covered(konkurs: Konkurs) -> None:
    activities = ContestActivities(konkurs)
    assert sorted([*CASES, *CHECKS]) == sorted(f.__name__ for f in activities.all())


async def test_verifying_a_sender_writes_nothing_and_refuses_a_forgery_for_good(konkurs: Konkurs) -> None:
    purpose = "cancel:test-contest:0123456789abcdef"
    signed = konkurs.senders.sign(OPERATOR, purpose)
    before = log_of(konkurs)
    verified = await ActivityEnvironment().run(
        ContestActivities(konkurs).verify_sender, VerifySender(sender=signed, purpose=purpose))
    assert verified.actor == OPERATOR

    forged = signed.model_copy(update={"signature": "0" * 64})
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment().run(
            ContestActivities(konkurs).verify_sender, VerifySender(sender=forged, purpose=purpose))
    assert refused.value.non_retryable
    assert "was not vouched for by this deployment" in refused.value.message
    assert log_of(konkurs) == before


async def run(activities: ContestActivities, name: str, request: BaseModel) -> CommandResult:
    result: CommandResult = await ActivityEnvironment().run(getattr(activities, name), request)
    return result


@pytest.mark.parametrize("retry_on", ["the same worker", "another worker"])
@pytest.mark.parametrize("name", list(CASES))
async def test_running_an_activity_again_writes_nothing_and_reports_it_was_not_applied(
    konkurs: Konkurs, contest: ContestSetup, store_env: dict[str, str], name: str, retry_on: str
) -> None:
    stage, request_for = CASES[name]
    stage(konkurs, contest)
    request = request_for(contest)
    before = log_of(konkurs)

    first = await run(ContestActivities(konkurs), name, request)
    after_first = log_of(konkurs)
    assert first == CommandResult(applied=True)
    assert len(after_first) > len(before)

    if retry_on == "the same worker":
        second = await run(ContestActivities(konkurs), name, request)
    else:
        other = Konkurs(env=store_env)
        try:
            second = await run(ContestActivities(other), name, request)
        finally:
            other.close()
    assert second == CommandResult(applied=False)
    assert log_of(konkurs) == after_first


async def test_conclusions_run_twice_leave_the_outcomes_of_the_first_run(
    konkurs: Konkurs, contest: ContestSetup
) -> None:
    voting_closed(konkurs, contest)
    activities = ContestActivities(konkurs)
    for name in ("tally_votes", "declare_results"):
        await run(activities, name, conclusion(name)(contest))
    first: Contest = konkurs.store.get_contest(SLUG)
    for name in ("tally_votes", "declare_results"):
        await run(activities, name, conclusion(name)(contest))
    again = konkurs.store.get_contest(SLUG)
    assert (again.tally, again.results, again.version) == (first.tally, first.results, first.version)
    assert again.tally is not None
    assert again.tally.by_submission == {"HC-1": {"A1": 1, "A2": 2}, "HC-2": {"B1": 1}}


async def test_publishing_twice_places_each_winner_once(konkurs: Konkurs, contest: ContestSetup) -> None:
    results_closed(konkurs, contest)
    activities = ContestActivities(konkurs)
    request = conclusion("publish_results")(contest)
    await run(activities, "publish_results", request)
    await run(activities, "publish_results", request)
    placed = [e for e in konkurs.store.read_log() if e.topic.endswith("Submission.Placed")]
    assert len(placed) == 3  # A1 and A2 in HC-1, B1 in HC-2
    winner: Submission = konkurs.store.repository.get(placed[0].originator_id)
    assert winner.status == SubmissionStatus.PLACED


# Broken rules: refused, not retried, nothing written.

REFUSALS: dict[str, tuple[Stage, str, Callable[[ContestSetup], BaseModel], str]] = {
    "closing a phase that is not current": (
        announced,
        "change_phase",
        lambda c: RecordPhaseChange(
            slug=SLUG,
            closed=Phase.JUDGING,
            cause="operator",
            reason="",
            command_id="close-judging-early",
            actor=OPERATOR,
        ),
        "is in phase announced, not judging",
    ),
    "moving a deadline earlier": (
        collecting,
        "extend_deadline",
        lambda c: RecordExtension(
            slug=SLUG,
            phase=Phase.COLLECTING,
            closes_at=c.plan.window(Phase.COLLECTING).closes_at - timedelta(days=1),
            reason="",
            command_id="shorten",
            actor=OPERATOR,
        ),
        "is not after the current one",
    ),
    "cancelling a cancelled contest": (
        cancelled,
        "cancel_contest",
        lambda c: RecordCancellation(slug=SLUG, reason="again", command_id="cancel-again", actor=OPERATOR),
        "is already cancelled",
    ),
    "announcing a contest twice": (
        announced,
        "announce",
        lambda c: Announce(
            spec=c.spec.model_dump(mode="json"), plan=c.plan, command_id="another-announce", actor=OPERATOR
        ),
        "already announced",
    ),
    "screening before collection closed": (
        submitted,
        "conclude_screening",
        conclusion("conclude_screening"),
        "has not closed collecting yet",
    ),
    "assigning experts before judging opens": (
        collection_closed,
        "assign_experts",
        conclusion("assign_experts"),
        "assigning experts needs contest test-contest in phase judging, but it is screening",
    ),
    "ranking a nomination before judging closes": (
        experts_assigned,
        "conclude_nomination",
        lambda c: ConcludeNomination(
            slug=SLUG, nomination="HC-1", command_id=f"{SLUG}:conclude:HC-1", actor=OPERATOR
        ),
        "has not closed judging yet",
    ),
    "publishing before results are declared": (
        voting_closed,
        "publish_results",
        conclusion("publish_results"),
        "has no declared results to publish",
    ),
    "concluding a contest nobody announced": (
        nothing,
        "declare_results",
        conclusion("declare_results"),
        "no contest 'test-contest'",
    ),
}
CLOSING_A_CLOSED_CONTEST = (
    closed,
    "change_phase",
    lambda c: RecordPhaseChange(
        slug=SLUG, closed=Phase.CLOSED, cause="operator", reason="", command_id="close-closed", actor=OPERATOR
    ),
    "",
)


def refusal_cases() -> list[Any]:
    return [
        *[pytest.param(*case, id=label) for label, case in REFUSALS.items()],
        pytest.param(*CLOSING_A_CLOSED_CONTEST, id="closing the phase of a closed contest"),
    ]


@pytest.mark.parametrize(("stage", "name", "request_for", "message"), refusal_cases())
async def test_an_activity_that_breaks_a_rule_fails_for_good_and_writes_nothing(
    konkurs: Konkurs,
    contest: ContestSetup,
    stage: Stage,
    name: str,
    request_for: Callable[[ContestSetup], BaseModel],
    message: str,
) -> None:
    stage(konkurs, contest)
    before = log_of(konkurs)
    with pytest.raises(ApplicationError) as refused:
        await run(ContestActivities(konkurs), name, request_for(contest))
    assert refused.value.type == "KonkursError"
    assert refused.value.non_retryable is True
    assert message in refused.value.message
    assert log_of(konkurs) == before
