"""Stage activities: a regional stage hands its winners to the federal stage's workflow."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.contest import heartbeating, run_command
from domain.errors import UnknownContest
from domain.ids import workflow_id
from domain.konkurs import Konkurs
from domain.stages import PromotionBatch
from workflows.contest import ContestWorkflow
from workflows.models import CommandResult, ContestInput, PromotionInput, ReceivePromotionInput

log = structlog.get_logger("konkurs.activities")


class StageActivities:
    def __init__(self, konkurs: Konkurs, client: Client) -> None:
        self.konkurs = konkurs
        self.client = client

    @activity.defn(name="receive_promotion")
    async def receive_promotion(self, request: ReceivePromotionInput) -> CommandResult:
        return await run_command("receive_promotion", request.federal, lambda: (
            self.konkurs.receive_promotion(request.federal, request.batch, request.command_id)))

    @activity.defn(name="promote_winners")
    async def promote_winners(self, request: PromotionInput) -> CommandResult:
        """Update the federal stage's workflow, starting it if this is the first promotion.

        The update id is the regional stage's, so a retried activity joins the update it
        already sent; the federal stage records the promotion once by its own command id.
        """
        if await asyncio.to_thread(self._settled, request):
            return CommandResult(applied=False)
        batch = await asyncio.to_thread(self.konkurs.promotion_batch, request.slug)
        refusal = await heartbeating(self._deliver(batch, request))
        references = [e.reference for e in batch.entries]
        log.info("promotion_settled", contest=request.slug, federal=batch.federal,
                 promoted=len(references), refusal=refusal)
        return await run_command("promote_winners", request.slug, lambda: (
            self.konkurs.settle_promotion(request.slug, batch.federal, refusal, references,
                                          request.command_id)))

    async def _deliver(self, batch: PromotionBatch, request: PromotionInput) -> str | None:
        """None when the federal stage took the batch, else its reason for refusing it."""
        federal = request.federal or await asyncio.to_thread(self._announced_input, batch.federal)
        if federal is None:
            return f"federal stage {batch.federal} has not been announced"
        start = WithStartWorkflowOperation(
            ContestWorkflow.run, federal, id=workflow_id(federal.slug),
            task_queue=request.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        try:
            await self.client.execute_update_with_start_workflow(
                ContestWorkflow.promote, batch, start_workflow_operation=start,
                id=f"promotion-{batch.stage}",
            )
        except WorkflowUpdateFailedError as failure:
            return getattr(failure.cause, "message", None) or str(failure.cause or failure)
        except WorkflowAlreadyStartedError:
            return f"federal stage {batch.federal} is over"
        return None

    def _settled(self, request: PromotionInput) -> bool:
        return self.konkurs.get_contest(request.slug).has_applied(request.command_id)

    def _announced_input(self, slug: str) -> ContestInput | None:
        try:
            contest = self.konkurs.get_contest(slug)
        except UnknownContest:
            return None
        return ContestInput(slug=slug, spec=contest.spec_data, plan=contest.plan)

    def all(self) -> list[Callable[..., Awaitable[CommandResult]]]:
        return [self.receive_promotion, self.promote_winners]
