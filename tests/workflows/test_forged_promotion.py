"""A forged promotion, end to end on the time-skipping server.

An insider with a valid signed sender sends the `promote` Update straight to the federal stage's
workflow, naming a regional stage that has not published and an entry it never had. The federal
stage refuses it and writes nothing; when the regional stage publishes, its real winners advance,
once. A receipt written straight into the store is not silently honoured either: the regional
stage's real promotion is refused with a reason naming both, and the stage view says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.aggregates import Applicant, Contest, Submission
from domain.aggregates.submission import Provenance
from domain.commands.intake import Submit
from domain.commands.judging import EnrollExperts
from domain.commands.registry import ImportRegistry
from domain.promotion import PromotedEntry, PromotionBatch
from domain.spec import ApplicantKind
from projections import ViewsDB, catch_up, default_views
from projections.stage_queries import StageLink, stage_links
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import DAY, OPERATOR, cards_for_assignments, expert_panel, record_cards
from tests.workflows.driving import completed, sleep_until, update
from tests.workflows.test_federal_stage import REGISTRY, entries, federal_with_stages, registry, score, start
from workflows.contest import ContestWorkflow
from workflows.models import CancelContest, ContestInput, Promote


def made_up(stage: str) -> PromotedEntry:
    return PromotedEntry(
        reference="75-X", nomination="HC-1", title="Практика, которой не было",
        applicant=Applicant(name="ООО «Свои люди»", kind=ApplicantKind.NGO, region="75", inn="7500000002"),
        provenance=Provenance(stage=stage, region="75", reference="X", place=1, score=10.0))


async def run_regional_stage(
    env: WorkflowEnvironment, konkurs: Konkurs, stage: ContestInput, now: datetime
) -> None:
    """From collection to published results: entries, experts, cards; it then promotes."""
    konkurs.submissions.submit(Submit(slug=stage.slug, forms=entries(stage.spec["region"]), actor=OPERATOR))
    konkurs.judging.enroll_experts(EnrollExperts(slug=stage.slug, profiles=expert_panel(6), actor=OPERATOR))
    await env.sleep(26 * DAY)
    record_cards(konkurs, stage.slug, cards_for_assignments(konkurs, stage.slug, score))
    await sleep_until(env, now + 46 * DAY)


def received(konkurs: Konkurs, stage: str) -> list[list[str]]:
    return [e.state["references"] for e in konkurs.store.read_log([topic_of(Contest.PromotionReceived)])
            if e.state["stage"] == stage]


def link_of(konkurs: Konkurs, tmp_path: Any, federal: str, stage: str) -> list[StageLink]:
    views = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views, default_views())
    return [link for link in stage_links(views, federal) if link.stage == stage]


async def test_a_forged_promote_update_is_refused_and_the_real_winners_advance_once(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs, tmp_path: Any
) -> None:
    env = time_skipping_env
    now, spec, federal, [stage, *_] = await federal_with_stages(env, client)
    federal_handle, stage_handle = await start(client, federal), await start(client, stage)
    konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=registry(), actor=OPERATOR))
    await env.sleep(DAY)  # both stages collect

    forged = PromotionBatch(stage=stage.slug, region="75", federal=spec.slug, entries=[made_up(stage.slug)])
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        # under the update id the engine once used for this stage, so a refusal there would answer for it
        await update(client, federal_handle, ContestWorkflow.promote, Promote(batch=forged),
                     id=f"promotion-{stage.slug}")
    assert getattr(refused.value.cause, "message", None) == (
        f"promotion from {stage.slug} refused: {stage.slug} has not published its results")
    assert received(konkurs, stage.slug) == []

    await run_regional_stage(env, konkurs, stage, now)
    await completed(stage_handle)
    genuine = konkurs.contests.promotion_batch(stage.slug)
    assert received(konkurs, stage.slug) == [[e.reference for e in genuine.entries]]
    promoted = [e.state for e in konkurs.store.read_log([topic_of(Contest.Promoted)])]
    assert [p["references"] for p in promoted] == [[e.reference for e in genuine.entries]]
    state = await federal_handle.query(ContestWorkflow.state)
    assert [s for s in state.steps if "promoted from" in s] == [f"2 promoted from {stage.slug}"]
    [link] = link_of(konkurs, tmp_path, spec.slug, stage.slug)
    assert (link.status, link.promoted, link.reason) == ("promoted", 2, None)
    [promotion_head] = [h for h in konkurs.checkpoints.heads() if h.reason == "promotion"]
    assert promotion_head.position >= max(e.position for e in konkurs.store.read_log(
        [topic_of(Contest.PromotionReceived)]))
    await update(client, federal_handle, ContestWorkflow.cancel, CancelContest(reason="тест"))


async def test_a_receipt_forged_in_the_store_refuses_the_real_promotion_loudly(
    client: Client, time_skipping_env: WorkflowEnvironment, konkurs: Konkurs, tmp_path: Any
) -> None:
    env = time_skipping_env
    now, spec, federal, [stage, *_] = await federal_with_stages(env, client)
    federal_handle, stage_handle = await start(client, federal), await start(client, stage)
    konkurs.registry.import_registry(ImportRegistry(registry=REGISTRY, rows=registry(), actor=OPERATOR))
    await env.sleep(DAY)
    contest, entry = konkurs.store.get_contest(spec.slug), made_up(stage.slug)
    contest._promotion_received(stage=stage.slug, region="75", references=[entry.reference],
                                command_id=f"{spec.slug}:promotion:{stage.slug}")
    konkurs.store.save(contest, Submission(
        contest=spec.slug, reference=entry.reference, nomination=entry.nomination, title=entry.title,
        applicant=entry.applicant, provenance=entry.provenance), actor=OPERATOR)

    await run_regional_stage(env, konkurs, stage, now)
    await completed(stage_handle)
    genuine = [e.reference for e in konkurs.contests.promotion_batch(stage.slug).entries]
    reason = (f"promotion from {stage.slug} refused: federal stage {spec.slug} already took 1 entry from "
              f"{stage.slug} (75-X); this promotion names {', '.join(genuine)}")
    refusals = [e.state for e in konkurs.store.read_log([topic_of(Contest.PromotionRefused)])]
    assert [(r["federal"], r["reason"]) for r in refusals] == [(spec.slug, reason)]
    assert received(konkurs, stage.slug) == [["75-X"]]
    [link] = link_of(konkurs, tmp_path, spec.slug, stage.slug)
    assert (link.status, link.promoted, link.reason) == ("refused", 0, reason)
    await update(client, federal_handle, ContestWorkflow.cancel, CancelContest(reason="тест"))
