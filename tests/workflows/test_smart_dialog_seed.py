"""Smart Dialog 2023 (seeds 001 and 002) as it ran, on the time-skipping server.

Announced on 05.05.2023, collecting until 18.06.2023. Pre-moderation runs during collection:
when the deadline was extended to 30.06.2023, 324 submissions had passed it and 870 more were
still drafts, their practice "passport" being filled in. Some drafts are filed after the
original deadline and before the new one; one that does not confirm the admission condition
(an implemented practice with measurable results toward the national projects) is rejected
with its reason.

The server's clock starts today and the services take intake by the wall clock, so the plan
runs the example's own dates moved by a whole number of days: every interval is the seed's.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Contest
from domain.commands.intake import FileDraft, SubmissionForm, Submit
from domain.commands.reads import ReadSubmissions
from domain.phases import Phase
from domain.spec import ContestSpec
from konkurs.spec_files import load_spec
from projections import ViewsDB, board, catch_up, default_views
from projections.models import Board
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, inn
from tests.workflows.driving import phase_becomes, signed_input, sleep_until, update
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ExtendDeadline

pytestmark = pytest.mark.slow

SPEC = Path(__file__).parents[2] / "examples" / "smart-dialog-2023.yaml"
SCREENED, DRAFTS = 324, 870
FILED_LATE = 40  # drafts filed between the original deadline and the new one
EXTENDED_TO = date(2023, 6, 30)
REASON = "продление приёма заявок по просьбам регионов"
REGIONS = ("77", "78", "16", "23", "52", "66", "75", "42", "02", "54")
KINDS = ("state_institution", "municipal_institution", "ngo", "business")


def forms(
    spec: ContestSpec, first: int, count: int, confirmed: bool = True
) -> list[tuple[str, SubmissionForm]]:
    conditions = [c.code for c in spec.eligibility.conditions] if confirmed else []
    nominations = [n.code for n in spec.nominations]
    return [
        (f"smarteka {i}", SubmissionForm.model_validate({
            "reference": f"SD-{i:04d}", "nomination": nominations[i % len(nominations)],
            "title": f"Управленческая практика № {i}", "conditions": conditions,
            "applicant": {"name": f"Учреждение № {i}", "kind": KINDS[i % len(KINDS)],
                          "region": (region := REGIONS[i % len(REGIONS)]), "inn": inn(region, i)},
        }))
        for i in range(first, first + count)
    ]


def status(konkurs: Konkurs, views: ViewsDB, slug: str) -> Board:
    """What `konkurs status` shows: the board, caught up with the log."""
    catch_up(konkurs.store, views, default_views())
    return board(views, slug)


def moved(spec: ContestSpec, day: date, shift: timedelta) -> datetime:
    """The end of `day` in the contest's time zone, as a bare date deadline closes, moved by `shift`."""
    return spec.local_moment(day, end_of_day=True) + shift


async def test_smart_dialog_screens_on_arrival_keeps_drafts_and_takes_them_after_the_extension(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs, tmp_path: Path
) -> None:
    env, spec = time_skipping_env, load_spec(SPEC)
    schedule = spec.schedule
    assert (schedule.announced, schedule.collection_closes) == (date(2023, 5, 5), date(2023, 6, 18))
    assert spec.screening.on_arrival and [c.code for c in spec.eligibility.conditions] == [
        "implemented-with-results"]
    plan = spec.phase_plan()
    now = await env.get_current_time()
    shift = timedelta(days=(now - plan.windows[0].closes_at).days)  # the announcement, a moment ago
    handle = await client.start_workflow(
        ContestWorkflow.run, signed_input(client, spec, plan.shifted(shift)), id=f"contest-{spec.slug}",
        task_queue=client.test_queue,  # type: ignore[attr-defined]
    )
    await phase_becomes(handle, Phase.COLLECTING)
    slug, views = spec.slug, ViewsDB(tmp_path / "views.db")

    # Collection: each filed practice is screened as it arrives; the others are drafts.
    for first in range(0, SCREENED, 108):
        konkurs.submissions.submit(Submit(slug=slug, forms=forms(spec, first, 108), actor=OPERATOR))
    konkurs.submissions.submit(Submit(slug=slug, forms=forms(spec, SCREENED, DRAFTS), actor=OPERATOR,
                                      draft=True))
    await sleep_until(env, moved(spec, date(2023, 6, 17), shift))  # the eve of the original deadline
    at_extension = status(konkurs, views, slug)
    assert (at_extension.submissions, at_extension.screened, at_extension.admitted) == (324, 324, 324)
    assert (at_extension.drafts, at_extension.rejections) == (870, [])

    # The operator extends collection to 30 June, with the reason on record.
    await update(client, handle, ContestWorkflow.extend_deadline, ExtendDeadline(
        phase=Phase.COLLECTING, closes_at=moved(spec, EXTENDED_TO, shift), reason=REASON))
    [extension] = [e.state for e in konkurs.store.read_log([topic_of(Contest.DeadlineExtended)])]
    assert (extension["reason"], extension["phase"]) == (REASON, Phase.COLLECTING)

    # Past the original deadline, collection is still open: drafts are filed and screened at once.
    await sleep_until(env, moved(spec, date(2023, 6, 18), shift) + DAY)
    assert (await handle.query(ContestWorkflow.state)).phase == Phase.COLLECTING
    late = forms(spec, SCREENED, FILED_LATE)
    konkurs.submissions.submit(Submit(slug=slug, forms=late[:-1], actor=OPERATOR))  # revised and filed
    konkurs.submissions.file_draft(FileDraft(slug=slug, reference=late[-1][1].reference, actor=OPERATOR))
    [(_, unconfirmed)] = forms(spec, SCREENED + FILED_LATE, 1, confirmed=False)
    konkurs.submissions.submit(Submit(slug=slug, forms=[("smarteka", unconfirmed)], actor=OPERATOR))
    [seen] = konkurs.submission_reads.submissions(
        ReadSubmissions(actor=OPERATOR, slug=slug, reference=unconfirmed.reference))
    condition = spec.eligibility.conditions[0]
    reason = f"admission condition {condition.code} not confirmed: {condition.title}"
    assert (seen.status, seen.rejection_reason) == ("rejected", reason)

    # The new deadline closes collection; screening at the close agrees with arrival's decisions.
    await sleep_until(env, moved(spec, EXTENDED_TO, shift) + timedelta(minutes=1))
    await phase_becomes(handle, Phase.SCREENING)
    outcome = await screening_of(konkurs, slug)
    assert outcome.admitted == SCREENED + FILED_LATE
    assert outcome.rejected == {"admission condition not confirmed": 1}
    closed = status(konkurs, views, slug)
    assert (closed.screened, closed.drafts) == (324 + FILED_LATE + 1, DRAFTS - FILED_LATE - 1)
    assert [(r.reference, r.reason) for r in closed.rejections] == [(unconfirmed.reference, reason)]
    check = next(c for c in konkurs.audit.audit_contest(slug).checks if c.check == "screening")
    assert check.holds, [d.describe() for d in check.differences]
    assert check.notes == [f"{324 + FILED_LATE + 1} decided on arrival, before collection closed"]
    await update(client, handle, ContestWorkflow.cancel, CancelContest(reason="конец теста"))


async def screening_of(konkurs: Konkurs, slug: str) -> Any:
    """The screening the workflow concludes on the close, once its activity has recorded it."""
    for _ in range(400):
        outcome = konkurs.store.get_contest(slug).screening
        if outcome is not None:
            return outcome
        await asyncio.sleep(0.025)
    raise AssertionError("screening was not concluded")
