"""The contest workflow on the time-skipping server: months of deadlines in milliseconds."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Applicant, Contest
from domain.application import topic_of
from domain.intake import BallotForm, ReviewForm, SubmissionForm
from domain.konkurs import Konkurs
from domain.phases import Phase
from konkurs.worker import build_worker
from tests.factories import DAY, make_spec
from workflows.contest import ContestWorkflow
from workflows.models import (
    CancelContest,
    ClosePhase,
    ContestInput,
    ContestState,
    ExtendDeadline,
)


@pytest.fixture
async def client(
    time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> AsyncIterator[Client]:
    queue = f"test-{uuid.uuid4()}"
    worker = build_worker(time_skipping_env.client, konkurs, task_queue=queue)
    async with worker:
        client = time_skipping_env.client
        client.test_queue = queue  # type: ignore[attr-defined]
        yield client


async def start(client: Client, env: WorkflowEnvironment, voting: bool = True) -> WorkflowHandle:
    now = await env.get_current_time()
    slug = f"c-{uuid.uuid4().hex[:8]}"
    spec = make_spec(now + timedelta(hours=1), slug=slug, voting=voting)
    return await client.start_workflow(
        ContestWorkflow.run,
        ContestInput(slug=slug, spec=spec.model_dump(mode="json"), plan=spec.phase_plan()),
        id=f"contest-{slug}",
        task_queue=client.test_queue,  # type: ignore[attr-defined]
    )


async def phase_becomes(handle: WorkflowHandle, phase: Phase) -> ContestState:
    for _ in range(400):
        state: ContestState = await handle.query(ContestWorkflow.state)
        if state.phase == phase:
            return state
        await asyncio.sleep(0.025)
    raise AssertionError(f"workflow stayed in {state.phase}, expected {phase}")


def applicant(region: str = "23") -> Applicant:
    return Applicant(name="ГБУ Центр", kind="state_institution", region=region)


def submissions(n: int) -> list[tuple[str, SubmissionForm]]:
    return [
        (f"row {i}", SubmissionForm(reference=f"S-{i}", nomination=f"HC-{1 + i % 2}",
                                    title=f"Практика {i}", applicant=applicant()))
        for i in range(n)
    ]


def slug_of(handle: WorkflowHandle) -> str:
    return handle.id.removeprefix("contest-")


async def test_a_contest_runs_months_of_deadlines_to_published_results(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle = await start(client, env)
    slug = slug_of(handle)
    await env.sleep(2 * DAY)
    await phase_becomes(handle, Phase.COLLECTING)
    konkurs.submit(slug, submissions(6))

    await env.sleep(60 * DAY)
    await phase_becomes(handle, Phase.SCREENING)
    assert konkurs.get_contest(slug).screening.admitted == 6  # type: ignore[union-attr]

    await env.sleep(15 * DAY)
    await phase_becomes(handle, Phase.JUDGING)
    konkurs.record_reviews(slug, [
        (f"card {i}-{e}", ReviewForm(submission=f"S-{i}", expert=f"E{e}",
                                     scores={"impact": i + e, "replicable": 1 + i % 5}))
        for i in range(6) for e in range(3)
    ])

    await env.sleep(45 * DAY)
    await phase_becomes(handle, Phase.VOTING)
    shortlist = konkurs.get_contest(slug).judging.shortlist  # type: ignore[union-attr]
    konkurs.cast_ballots(slug, [
        (f"ballot {v}", BallotForm(voter=f"voter-{v}", nomination="HC-1",
                                   submission=shortlist["HC-1"][v % 3 == 0], region="75"))
        for v in range(9)
    ], voter_key=b"test-key")

    result = await handle.result()
    assert result.final_phase == Phase.CLOSED
    contest = konkurs.get_contest(slug)
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
    state = await handle.execute_update(
        ContestWorkflow.extend_deadline,
        ExtendDeadline(phase=Phase.COLLECTING, closes_at=new, reason="просьба регионов"),
    )
    assert state.plan.window(Phase.COLLECTING).closes_at == new
    assert konkurs.get_contest(slug).plan.window(Phase.COLLECTING).closes_at == new

    await env.sleep(60 * DAY)
    assert (await handle.query(ContestWorkflow.state)).phase == Phase.COLLECTING
    await env.sleep(12 * DAY)
    await phase_becomes(handle, Phase.SCREENING)
    await handle.execute_update(ContestWorkflow.cancel, CancelContest(reason="end of test"))


async def test_an_operator_closes_collection_early(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle = await start(client, env, voting=False)
    slug = slug_of(handle)
    await env.sleep(DAY)
    await phase_becomes(handle, Phase.COLLECTING)
    konkurs.submit(slug, submissions(2))
    state = await handle.execute_update(
        ContestWorkflow.close_phase, ClosePhase(phase=Phase.COLLECTING, reason="план выполнен")
    )
    assert state.phase == Phase.SCREENING
    changes = [e for e in konkurs.read_log([topic_of(Contest.PhaseChanged)])
               if e.state["closed"] == "collecting" and e.originator_id == handle_contest(konkurs, slug)]
    assert changes[0].state["cause"] == "operator"
    assert changes[0].state["reason"] == "план выполнен"
    assert konkurs.get_contest(slug).screening.admitted == 2  # type: ignore[union-attr]
    await handle.execute_update(ContestWorkflow.cancel, CancelContest(reason="end of test"))


def handle_contest(konkurs: Konkurs, slug: str) -> object:
    return konkurs.get_contest(slug).id


async def test_a_cancellation_ends_the_contest_in_any_phase(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle = await start(client, env)
    slug = slug_of(handle)
    await env.sleep(80 * DAY)
    await phase_becomes(handle, Phase.JUDGING)
    state = await handle.execute_update(
        ContestWorkflow.cancel, CancelContest(reason="решение организатора")
    )
    assert state.phase == Phase.CANCELLED
    assert (await handle.result()).final_phase == Phase.CANCELLED
    assert konkurs.get_contest(slug).phase == Phase.CANCELLED


async def test_a_deadline_in_the_past_is_rejected_and_writes_nothing(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle = await start(client, env, voting=False)
    await env.sleep(DAY)
    await phase_becomes(handle, Phase.COLLECTING)
    before = konkurs.head_position()
    past: datetime = (await env.get_current_time()) - DAY
    with pytest.raises(WorkflowUpdateFailedError) as failure:
        await handle.execute_update(
            ContestWorkflow.extend_deadline,
            ExtendDeadline(phase=Phase.COLLECTING, closes_at=past, reason="опечатка"),
        )
    assert "in the past" in str(failure.value.cause)
    assert konkurs.head_position() == before
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(ContestWorkflow.close_phase, ClosePhase(phase=Phase.JUDGING))
    assert konkurs.head_position() == before
    await handle.execute_update(ContestWorkflow.cancel, CancelContest(reason="end of test"))
