"""The participation drive's scheduled reviews on the time-skipping server: the workflow wakes at
each moment of collection the spec gives, records who lags, and nothing else changes."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Applicant, Contest, Submission
from domain.commands.intake import SubmissionForm, Submit
from domain.phases import Phase, describe_moment
from domain.spec import ApplicantKind, ContestSpec
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, spec_data
from tests.workflows.driving import phase_becomes, signed_input, update
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ExtendDeadline

KRASNODAR, KEMEROVO, NOVGOROD = "23", "42", "53"


def drive_spec(start: datetime, slug: str, drive: bool = True) -> ContestSpec:
    """Collection from `start` for 60 days, open to three regions; target 2 submissions each,
    reviewed every 20 days and once at day 30 noon; reports due 10 days after the close."""
    data = spec_data(start, slug=slug, voting=False)
    data["eligibility"]["regions"] = [KRASNODAR, KEMEROVO, NOVGOROD]
    if drive:
        data["participation"] = {
            "target": {"absolute": 2},
            "review": {"every_days": 20, "dates": [(start + 30 * DAY + timedelta(hours=12)).isoformat()]},
            "report_by": (start + 70 * DAY).isoformat(),
        }
    return ContestSpec.model_validate(data)


async def start_contest(client: Client, env: WorkflowEnvironment, drive: bool = True) -> tuple[
        WorkflowHandle[Any, Any], ContestSpec]:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    spec = drive_spec(await env.get_current_time() + timedelta(hours=1), slug, drive)
    handle = await client.start_workflow(
        ContestWorkflow.run,
        signed_input(client, spec),
        id=f"contest-{slug}", task_queue=client.test_queue,  # type: ignore[attr-defined]
    )
    return handle, spec


def submit(konkurs: Konkurs, slug: str, *regions: str) -> None:
    offset = len(list(konkurs.store.contest_events(slug, [Submission.Submitted])))
    konkurs.submissions.submit(Submit(slug=slug, forms=[
        (f"row {offset + i}", SubmissionForm(
            reference=f"S-{offset + i}", nomination="HC-1", title="Практика",
            applicant=Applicant(name="Администрация", kind=ApplicantKind.NGO, region=region)))
        for i, region in enumerate(regions)
    ], actor=OPERATOR))


def reviews_of(konkurs: Konkurs, slug: str) -> list[dict[str, Any]]:
    contest_id = konkurs.store.get_contest(slug).id
    return [e.state for e in konkurs.store.read_log([topic_of(Contest.ParticipationReviewed)])
            if e.originator_id == contest_id]


async def reviewed(konkurs: Konkurs, slug: str, count: int) -> list[dict[str, Any]]:
    for _ in range(400):
        found = reviews_of(konkurs, slug)
        if len(found) >= count:
            return found
        await asyncio.sleep(0.025)
    raise AssertionError(f"{len(reviews_of(konkurs, slug))} reviews recorded, expected {count}")


def moment(recorded: str) -> datetime:
    return datetime.fromisoformat(recorded.replace("Z", "+00:00"))


def laggards(review: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(lag["code"], lag["submissions"], lag["target"]) for lag in review["laggards"]]


async def test_reviews_fire_at_the_specs_moments_and_record_the_regions_below_target(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle, spec = await start_contest(client, env)
    slug, opens = spec.slug, spec.phase_plan().window(Phase.ANNOUNCED).closes_at
    await env.sleep(DAY + timedelta(hours=1))
    await phase_becomes(handle, Phase.COLLECTING)
    submit(konkurs, slug, KRASNODAR, KEMEROVO, KEMEROVO, KEMEROVO)

    await env.sleep(20 * DAY)  # past day 20
    [first] = await reviewed(konkurs, slug, 1)
    assert laggards(first) == [(NOVGOROD, 0, 2), (KRASNODAR, 1, 2)]
    submit(konkurs, slug, NOVGOROD, NOVGOROD)

    await env.sleep(10 * DAY)  # past day 30 noon
    second = (await reviewed(konkurs, slug, 2))[1]
    assert laggards(second) == [(KRASNODAR, 1, 2)]
    assert second["submissions"] == 6

    # An extension of collection past day 60 brings day 60 inside collection: one more review.
    closes = spec.phase_plan().window(Phase.COLLECTING).closes_at
    await update(client, handle, ContestWorkflow.extend_deadline, ExtendDeadline(
        phase=Phase.COLLECTING, closes_at=closes + 5 * DAY, reason="регионы просят время"))
    await env.sleep(40 * DAY)
    state = await phase_becomes(handle, Phase.SCREENING)

    reviews = reviews_of(konkurs, slug)
    moments = [moment(r["moment"]) for r in reviews]
    expected = [opens + 20 * DAY, opens + 30 * DAY + timedelta(hours=12), opens + 40 * DAY,
                opens + 60 * DAY]
    assert moments == expected
    assert {moment(r["report_by"]) for r in reviews} == {opens + 70 * DAY}
    assert konkurs.store.get_contest(slug).has_applied(f"{slug}:participation:{expected[0].isoformat()}")
    reviewed_steps = [s for s in state.steps if s.startswith("participation reviewed at")]
    assert reviewed_steps == [f"participation reviewed at {describe_moment(m)}" for m in expected]
    assert state.steps.index(reviewed_steps[-1]) < state.steps.index("collecting closed by deadline")
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="end of test"))


async def test_a_contest_without_a_drive_schedules_no_review(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    handle, spec = await start_contest(client, env, drive=False)
    await env.sleep(62 * DAY)
    state = await phase_becomes(handle, Phase.SCREENING)

    assert reviews_of(konkurs, spec.slug) == []
    assert state.steps == ["announced closed by deadline", "collecting closed by deadline",
                           "conclude_screening"]
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="end of test"))
