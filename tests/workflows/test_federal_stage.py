"""Regional stages feed a federal stage, on the time-skipping server.

A federal stage with five regional stages: each regional stage screens, judges and publishes,
its first places advance into the federal stage, one region finishes after the federal stage
has closed collection and is refused with the reason, and the federal stage judges what it got.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Applicant, Contest, RegistryRow, Submission
from domain.commands.intake import SubmissionForm, Submit
from domain.commands.judging import EnrollExperts
from domain.commands.registry import ImportRegistry
from domain.ids import submission_id
from domain.phases import Phase
from domain.spec import ContestSpec
from konkurs import operations
from projections import ViewsDB, catch_up, default_views, results
from projections.stage_queries import stage_links
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, cards_for_assignments, expert_panel, inn, record_cards, spec_data
from tests.workflows.driving import completed, signed_input, signer_of, sleep_until, update
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ContestInput, ExtendDeadline, Promote

REGIONS = ("75", "23", "42", "53", "66")
REGISTRY = "social-service-providers"
LATE_REGION = "53"


def federal_spec(start: datetime, slug: str) -> ContestSpec:
    data = spec_data(start, slug=slug, voting=False)
    data["schedule"] = {
        "announced": start.isoformat(), "collection_closes": (start + 70 * DAY).isoformat(),
        "screening_closes": (start + 75 * DAY).isoformat(),
        "judging_closes": (start + 100 * DAY).isoformat(),
        "results_published": (start + 110 * DAY).isoformat(),
    }
    data["eligibility"]["registry"] = REGISTRY
    data["regional_stages"] = {
        "regions": list(REGIONS), "slug": slug + "-{region}",
        "title": "Региональный этап: {region_name}", "organisers": ["Минсоцзащиты: {region_name}"],
        "schedule": {
            "announced": start.isoformat(), "collection_closes": (start + 20 * DAY).isoformat(),
            "screening_closes": (start + 25 * DAY).isoformat(),
            "judging_closes": (start + 40 * DAY).isoformat(),
            "results_published": (start + 45 * DAY).isoformat(),
        },
    }
    return ContestSpec.model_validate(data)


def entries(region: str) -> list[tuple[str, SubmissionForm]]:
    """Eight entries; the organisations of R-6 and R-7 are not in the registry."""
    return [
        (f"{region} row {k}", SubmissionForm(
            reference=f"R{region}-{k}", nomination=f"HC-{1 + k % 2}", title=f"Практика {region}/{k}",
            applicant=Applicant(name=f"ГБУ Центр {region}/{k}", kind="state_institution",
                                region=region, inn=inn(region, k))))
        for k in range(8)
    ]


def registry() -> list[tuple[str, RegistryRow]]:
    return [(f"registry.csv:{n}", RegistryRow(inn=inn(region, k), name=f"ГБУ Центр {region}/{k}",
                                              region=region, entered_on=date(2020, 1, 15)))
            for n, (region, k) in enumerate(((r, k) for r in REGIONS for k in range(6)), start=2)]


def score(submission: str, expert: str) -> int:
    """Deterministic, different per submission: higher k scores higher."""
    return 3 + int(submission.rsplit("-", 1)[1]) % 6


async def start(client: Client, contest: ContestInput) -> WorkflowHandle[Any, Any]:
    return await client.start_workflow(
        ContestWorkflow.run, contest, id=f"contest-{contest.slug}",
        task_queue=client.test_queue,  # type: ignore[attr-defined]
    )


async def federal_with_stages(
    env: WorkflowEnvironment, client: Client,
) -> tuple[datetime, ContestSpec, ContestInput, list[ContestInput]]:
    """The test's start, and a federal stage that begins half a day later, with its stages."""
    now = await env.get_current_time()
    spec = federal_spec(now + DAY / 2, f"fed-{uuid.uuid4().hex[:6]}")
    federal = signed_input(client, spec)
    return now, spec, federal, operations.stage_inputs(federal, spec, DAY * 0, now, signer_of(client))


async def test_first_places_of_regional_stages_advance_to_the_federal_stage(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs, tmp_path: Any
) -> None:
    env = time_skipping_env
    now, spec, federal, stages = await federal_with_stages(env, client)
    slug = spec.slug
    assert [s.spec["region"] for s in stages] == list(REGIONS)
    federal_handle = await start(client, federal)
    handles = {s.spec["region"]: await start(client, s) for s in stages}

    konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=registry(), actor=OPERATOR))
    await env.sleep(DAY)
    konkurs.judging.enroll_experts(EnrollExperts(slug=slug, profiles=expert_panel(6), actor=OPERATOR))
    for region, stage in zip(REGIONS, stages, strict=True):
        konkurs.submissions.submit(Submit(slug=stage.slug, forms=entries(region), actor=OPERATOR))
        konkurs.judging.enroll_experts(
            EnrollExperts(slug=stage.slug, profiles=expert_panel(6), actor=OPERATOR)
        )

    await env.sleep(26 * DAY)  # the regional stages are judging
    for stage in stages:
        screening = konkurs.store.get_contest(stage.slug).screening
        assert screening is not None
        assert (screening.admitted, screening.rejected) == (6, {"not in registry": 2})
        outsider: Submission = konkurs.store.repository.get(
            submission_id(stage.slug, f"R{stage.spec['region']}-7"))
        submitted_on = outsider.created_on.astimezone(ZoneInfo(stage.spec["timezone"])).date()  # its region's
        assert outsider.rejection_reason == f"not in registry on {submitted_on.isoformat()}"
        record_cards(konkurs, stage.slug, cards_for_assignments(konkurs, stage.slug, score))
    late = handles[LATE_REGION]
    await update(client, late, ContestWorkflow.extend_deadline, ExtendDeadline(
            phase=Phase.RESULTS, closes_at=now + 80 * DAY, reason="комиссия не собралась"))

    await sleep_until(env, now + 46 * DAY)
    for region, handle in handles.items():
        if region != LATE_REGION:
            await completed(handle)
    assert konkurs.store.get_contest(slug).phase == Phase.COLLECTING

    await sleep_until(env, now + 76 * DAY)  # the federal stage judges; the late region has not done
    record_cards(konkurs, slug, cards_for_assignments(konkurs, slug, score))
    assert (await late.result()).final_phase == Phase.CLOSED
    assert (await federal_handle.result()).final_phase == Phase.CLOSED

    late_slug = f"{slug}-{LATE_REGION}"
    refusals = [e.state for e in konkurs.store.read_log([topic_of(Contest.PromotionRefused)])]
    assert [r["federal"] for r in refusals] == [slug]
    assert refusals[0]["reason"].startswith(f"federal stage {slug} closed collection at ")
    assert refusals[0]["reason"].endswith(f"promotion from {late_slug} refused")

    received = [e.state for e in konkurs.store.read_log([topic_of(Contest.PromotionReceived)])]
    assert sorted(r["region"] for r in received) == sorted(set(REGIONS) - {LATE_REGION})
    for r in received:
        assert r["references"] == [f"{r['region']}-R{r['region']}-4", f"{r['region']}-R{r['region']}-5"]

    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    links = {link.region: link for link in stage_links(views, slug)}
    assert {r: link.status for r, link in links.items()} == {
        r: "refused" if r == LATE_REGION else "promoted" for r in REGIONS
    }
    assert links[LATE_REGION].reason == refusals[0]["reason"]
    shown = results(views, slug)
    assert shown.published
    winners = [w for n in shown.nominations for w in n.winners]
    assert winners and all(w.provenance is not None for w in winners)
    for w in winners:
        origin = w.provenance
        assert origin is not None and origin.place == 1
        assert origin.stage == f"{slug}-{origin.region}"
        assert w.reference == f"{origin.region}-{origin.reference}"


async def test_the_first_promotion_starts_the_federal_stage_and_a_repeat_is_recorded_once(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs
) -> None:
    env = time_skipping_env
    now, spec, _, stages = await federal_with_stages(env, client)
    slug, stages = spec.slug, stages[:2]
    handles = [await start(client, stage) for stage in stages]
    konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=registry(), actor=OPERATOR))

    await env.sleep(DAY)
    for stage in stages:
        konkurs.submissions.submit(
            Submit(slug=stage.slug, forms=entries(stage.spec["region"]), actor=OPERATOR)
        )
        konkurs.judging.enroll_experts(
            EnrollExperts(slug=stage.slug, profiles=expert_panel(6), actor=OPERATOR)
        )
    await env.sleep(26 * DAY)
    for stage in stages:
        record_cards(konkurs, stage.slug, cards_for_assignments(konkurs, stage.slug, score))
    await sleep_until(env, now + 46 * DAY)
    for handle in handles:
        await completed(handle)

    federal_handle = client.get_workflow_handle(f"contest-{slug}")
    state = await federal_handle.query(ContestWorkflow.state)
    assert state.phase == Phase.COLLECTING
    assert sorted(s for s in state.steps if "promoted from" in s) == sorted(
        f"2 promoted from {stage.slug}" for stage in stages
    )

    batch = konkurs.contests.promotion_batch(stages[0].slug)
    receipt = await update(client, federal_handle, ContestWorkflow.promote, Promote(batch=batch),
                           id="sent-again")
    assert receipt.references == [e.reference for e in batch.entries]
    received = [
        e
        for e in konkurs.store.read_log([topic_of(Contest.PromotionReceived)])
        if e.state["stage"] == stages[0].slug
    ]
    assert len(received) == 1
    assert konkurs.store.get_contest(slug).phase == Phase.COLLECTING
    await update(client, federal_handle, ContestWorkflow.cancel, CancelContest(reason="тест"))
