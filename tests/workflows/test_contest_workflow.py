"""The contest workflow on the time-skipping server: months of deadlines in milliseconds."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import pytest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Applicant, Contest, Judging
from domain.commands.intake import BallotInput, CastBallots, SubmissionForm, Submit
from domain.commands.judging import EnrollExperts
from domain.phases import Phase
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, cards_for_assignments, expert_panel, make_spec, record_cards
from tests.workflows.driving import phase_becomes, signed_input, update
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ClosePhase, ExtendDeadline

NOMINATIONS = ("HC-1", "HC-2")


async def start(client: Client, env: WorkflowEnvironment, voting: bool = True) -> WorkflowHandle:
    now = await env.get_current_time()
    slug = f"c-{uuid.uuid4().hex[:8]}"
    spec = make_spec(now + timedelta(hours=1), slug=slug, voting=voting)
    handle = await client.start_workflow(
        ContestWorkflow.run,
        signed_input(client, spec),
        id=f"contest-{slug}",
        task_queue=client.test_queue,  # type: ignore[attr-defined]
    )
    return handle


def applicant(region: str = "23") -> Applicant:
    return Applicant(name="ГБУ Центр", kind="state_institution", region=region)


def submissions(n: int) -> list[tuple[str, SubmissionForm]]:
    return [
        (f"row {i}", SubmissionForm(reference=f"S-{i}", nomination=f"HC-{1 + i % 2}",
                                    title=f"Практика {i}", applicant=applicant()))
        for i in range(n)
    ]


async def collecting(client: Client, env: WorkflowEnvironment) -> tuple[WorkflowHandle, str]:
    """A contest without a vote, a day into its collection."""
    handle = await start(client, env, voting=False)
    await env.sleep(DAY)
    await phase_becomes(handle, Phase.COLLECTING)
    return handle, slug_of(handle)


def slug_of(handle: WorkflowHandle) -> str:
    return handle.id.removeprefix("contest-")


def reminders_of(konkurs: Konkurs, slug: str) -> dict[str, list[dict[str, object]]]:
    """nomination → the reminders its judging recorded."""
    judgings = konkurs.reads.judgings(konkurs.store.get_contest(slug).spec)
    nomination_of = {j.id: code for code, j in judgings.items()}
    return {
        nomination_of[e.originator_id]: e.state["reminders"]
        for e in konkurs.store.read_log([topic_of(Judging.ExpertsReminded)])
        if e.originator_id in nomination_of
    }


async def reminded(konkurs: Konkurs, slug: str) -> dict[str, list[dict[str, object]]]:
    for _ in range(400):
        found = reminders_of(konkurs, slug)
        if len(found) == len(NOMINATIONS):
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"reminders recorded only for {sorted(reminders_of(konkurs, slug))}")


async def test_a_contest_runs_months_of_deadlines_to_published_results(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle = await start(client, env)
    slug = slug_of(handle)
    await env.sleep(2 * DAY)
    await phase_becomes(handle, Phase.COLLECTING)
    konkurs.submissions.submit(Submit(slug=slug, forms=submissions(6), actor=OPERATOR))
    konkurs.judging.enroll_experts(EnrollExperts(slug=slug, profiles=expert_panel(6), actor=OPERATOR))

    await env.sleep(60 * DAY)
    await phase_becomes(handle, Phase.SCREENING)
    assert konkurs.store.get_contest(slug).screening.admitted == 6  # type: ignore[union-attr]

    await env.sleep(15 * DAY)
    await phase_becomes(handle, Phase.JUDGING)
    spec = konkurs.store.get_contest(slug).spec
    judgings = konkurs.reads.judgings(spec)
    assert sorted(judgings) == list(NOMINATIONS)
    assert all(len(experts) == 3 for j in judgings.values() for experts in j.assigned.values())
    cards = cards_for_assignments(
        konkurs, slug, lambda submission, expert: (int(submission[2:]) + int(expert[1:])) % 11)
    late_expert = "E0"  # holds back their cards until reminded
    record_cards(konkurs, slug, [(k, f) for k, f in cards if f.expert != late_expert])

    await env.sleep(41 * DAY)  # past the reminders three days before judging closes, not the close
    reminders = await reminded(konkurs, slug)
    assert any(reminders.values())
    assert reminders == {
        code: [{"expert": late_expert, "open_cards": refs}] if refs else []
        for code, j in judgings.items()
        for refs in [sorted(s for s, experts in j.assigned.items() if late_expert in experts)]
    }
    assert (await handle.query(ContestWorkflow.state)).phase == Phase.JUDGING
    record_cards(konkurs, slug, [(k, f) for k, f in cards if f.expert == late_expert])

    await env.sleep(3 * DAY)
    state = await phase_becomes(handle, Phase.VOTING)
    assert "2 nomination panels opened" in state.steps
    assert "2 nominations ranked" in state.steps
    assert state.steps.index("2 nominations ranked") < state.steps.index("conclude_judging")
    ranked = {code: j.ranking for code, j in konkurs.reads.judgings(spec).items()}
    assert all(ranking is not None and len(ranking.entries) == 3 for ranking in ranked.values())
    judged = konkurs.store.get_contest(slug).judging
    assert judged is not None
    assert judged.rankings == [ranked["HC-1"], ranked["HC-2"]]
    assert (judged.reviews_counted, judged.reviews_late) == (18, 0)
    shortlist = judged.shortlist
    konkurs.ballots.cast_ballots(
        CastBallots(
            slug=slug,
            ballots=[
                BallotInput(
                    voter=f"voter-{v}",
                    nomination="HC-1",
                    submission=shortlist["HC-1"][v % 3 == 0],
                    region="75",
                    label=f"ballot {v}",
                )
                for v in range(9)
            ],
            voter_key=b"test-key",
            strict=True,
            actor=OPERATOR,
        )
    )

    result = await handle.result()
    assert result.final_phase == Phase.CLOSED
    contest = konkurs.store.get_contest(slug)
    assert contest.published
    assert contest.tally is not None and contest.tally.accepted == 9
    assert contest.results is not None
    assert {w.nomination for w in contest.results.winners} == {"HC-1", "HC-2"}
    assert contest.results.people_choice[0].reference == shortlist["HC-1"][0]
    assert contest.results.people_choice[0].votes == 6


async def test_an_extension_moves_the_deadline_and_is_recorded(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle = await start(client, env, voting=False)
    slug = slug_of(handle)
    await env.sleep(DAY)
    state = await phase_becomes(handle, Phase.COLLECTING)
    old = state.plan.window(Phase.COLLECTING).closes_at
    new = old + 12 * DAY
    state = await update(
        client,
        handle,
        ContestWorkflow.extend_deadline,
        ExtendDeadline(phase=Phase.COLLECTING, closes_at=new, reason="просьба регионов"),
    )
    assert state.plan.window(Phase.COLLECTING).closes_at == new
    assert konkurs.store.get_contest(slug).plan.window(Phase.COLLECTING).closes_at == new

    await env.sleep(60 * DAY)
    assert (await handle.query(ContestWorkflow.state)).phase == Phase.COLLECTING
    await env.sleep(12 * DAY)
    await phase_becomes(handle, Phase.SCREENING)
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="end of test"))


async def test_an_operator_closes_collection_early(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle, slug = await collecting(client, env)
    konkurs.submissions.submit(Submit(slug=slug, forms=submissions(2), actor=OPERATOR))
    state = await update(
        client,
        handle,
        ContestWorkflow.close_phase,
        ClosePhase(phase=Phase.COLLECTING, reason="план выполнен"),
    )
    assert state.phase == Phase.SCREENING
    changes = [
        e
        for e in konkurs.store.read_log([topic_of(Contest.PhaseChanged)])
        if e.state["closed"] == "collecting" and e.originator_id == handle_contest(konkurs, slug)
    ]
    assert changes[0].state["cause"] == "operator"
    assert changes[0].state["reason"] == "план выполнен"
    assert konkurs.store.get_contest(slug).screening.admitted == 2  # type: ignore[union-attr]
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="end of test"))


def handle_contest(konkurs: Konkurs, slug: str) -> object:
    return konkurs.store.get_contest(slug).id


async def test_a_cancellation_ends_the_contest_in_any_phase(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle = await start(client, env)
    slug = slug_of(handle)
    await env.sleep(80 * DAY)
    await phase_becomes(handle, Phase.JUDGING)
    state = await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="решение организатора"))
    assert state.phase == Phase.CANCELLED
    assert "2 nomination panels opened" in state.steps
    # The contest cancels its nomination panels itself rather than leave them to the server's
    # parent-close policy (which the time-skipping server does not apply).
    for nomination in NOMINATIONS:
        panel = client.get_workflow_handle(f"{handle.id}-judging-{nomination}")
        assert (await panel.describe()).status == WorkflowExecutionStatus.CANCELED
    assert (await handle.result()).final_phase == Phase.CANCELLED
    assert konkurs.store.get_contest(slug).phase == Phase.CANCELLED


async def test_a_deadline_in_the_past_is_rejected_and_writes_nothing(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle = await start(client, env, voting=False)
    await env.sleep(DAY)
    await phase_becomes(handle, Phase.COLLECTING)
    before = konkurs.store.head_position()
    past: datetime = (await env.get_current_time()) - DAY
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await update(
            client,
            handle,
            ContestWorkflow.extend_deadline,
            ExtendDeadline(phase=Phase.COLLECTING, closes_at=past, reason="опечатка"),
        )
    assert "in the past" in str(failure.value.cause)
    assert konkurs.store.head_position() == before
    with pytest.raises(WorkflowUpdateFailedError):
        await update(client, handle, ContestWorkflow.close_phase, ClosePhase(phase=Phase.JUDGING))
    assert konkurs.store.head_position() == before
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="end of test"))


async def test_extending_judging_moves_the_panels_reminders_with_the_deadline(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle, slug = await collecting(client, env)
    konkurs.submissions.submit(Submit(slug=slug, forms=submissions(2), actor=OPERATOR))
    konkurs.judging.enroll_experts(EnrollExperts(slug=slug, profiles=expert_panel(3), actor=OPERATOR))
    await env.sleep(80 * DAY)
    state = await phase_becomes(handle, Phase.JUDGING)
    closes_at = state.plan.window(Phase.JUDGING).closes_at
    await update(client, handle, ContestWorkflow.extend_deadline, ExtendDeadline(
            phase=Phase.JUDGING, closes_at=closes_at + 20 * DAY, reason="эксперты просят"))

    now = await env.get_current_time()
    await env.sleep(closes_at - now - DAY)  # past the old reminder time, before the old close
    await asyncio.sleep(1)  # time for a reminder activity to land, had one been due
    assert reminders_of(konkurs, slug) == {}
    assert (await handle.query(ContestWorkflow.state)).phase == Phase.JUDGING

    await env.sleep(18 * DAY)  # two days before the new close: inside the reminder window
    reminders = await reminded(konkurs, slug)
    assert all(r for r in reminders.values())
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="end of test"))
