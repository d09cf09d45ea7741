"""Stage activities: a regional stage hands its winners to the federal stage's workflow."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import structlog
from temporalio import activity
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from activities.contest import heartbeating, run_command
from domain.actors import SYSTEM
from domain.commands.contest import ReceivePromotion, SettlePromotion
from domain.commands.order import CommandResult
from domain.errors import UnknownContest
from domain.ids import workflow_id
from domain.promotion import PromotionBatch
from workflows.models import ContestInput, Promote, PromotionInput, announcement_purpose, purpose

if TYPE_CHECKING:
    from services.konkurs import Konkurs

log = structlog.get_logger("konkurs.activities")


class StageActivities:
    def __init__(self, konkurs: Konkurs, client: Client) -> None:
        self.konkurs = konkurs
        self.client = client

    @activity.defn
    async def receive_promotion(self, order: ReceivePromotion) -> CommandResult:
        result = await run_command(order.federal, lambda: self.konkurs.contests.receive_promotion(order))
        if result.applied:
            await asyncio.to_thread(self.konkurs.checkpoints.promoted)
        return result

    @activity.defn
    async def promote_winners(self, request: PromotionInput) -> CommandResult:
        """Update the federal stage's workflow, starting it if this is the first promotion.

        A retried activity sends its batch again; the federal stage answers the same entries
        from the same stage as applied before, and writes nothing.
        """
        if await asyncio.to_thread(self._settled, request):
            return CommandResult(applied=False)
        batch = await asyncio.to_thread(self.konkurs.contests.promotion_batch, request.slug)
        refusal = await heartbeating(self._deliver(batch, request))
        references = [e.reference for e in batch.entries]
        log.info("promotion_settled", contest=request.slug, federal=batch.federal,
                 promoted=len(references), refusal=refusal)
        settled = SettlePromotion(slug=request.slug, federal=batch.federal, refusal=refusal,
                                  references=references, command_id=request.command_id, actor=SYSTEM)
        return await run_command(request.slug, lambda: self.konkurs.contests.settle_promotion(settled))

    async def _deliver(self, batch: PromotionBatch, request: PromotionInput) -> str | None:
        """None when the federal stage took the batch, else its reason for refusing it."""
        from workflows.contest import ContestWorkflow  # the workflow names this module's activities

        federal = request.federal or await asyncio.to_thread(self._announced_input, batch.federal)
        if federal is None:
            return f"federal stage {batch.federal} has not been announced"
        # A stage announced long ago carries a signature that may have expired: the engine
        # starts the federal stage now, and says so.
        federal = federal.model_copy(update={"sender": self.konkurs.senders.sign(
            SYSTEM, announcement_purpose(federal.slug, federal.spec, federal.plan))})
        start = WithStartWorkflowOperation(
            ContestWorkflow.run, federal, id=workflow_id(federal.slug),
            task_queue=request.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
        try:
            await self.client.execute_update_with_start_workflow(
                ContestWorkflow.promote, self._signed(Promote(batch=batch), federal.slug),
                start_workflow_operation=start,
                # Temporal answers a known update id with that update's outcome: anyone can send
                # a promotion under a guessable id, so a refused forgery would answer for us.
                id=f"promotion-{batch.stage}-{uuid.uuid4().hex}",
            )
        except WorkflowUpdateFailedError as failure:
            return getattr(failure.cause, "message", None) or str(failure.cause or failure)
        except WorkflowAlreadyStartedError:
            return f"federal stage {batch.federal} is over"
        return None

    def _settled(self, request: PromotionInput) -> bool:
        return self.konkurs.store.get_contest(request.slug).has_applied(request.command_id)

    def _announced_input(self, slug: str) -> ContestInput | None:
        try:
            contest = self.konkurs.store.get_contest(slug)
        except UnknownContest:
            return None
        signed = self.konkurs.senders.sign(
            SYSTEM, announcement_purpose(slug, contest.spec_data, contest.plan))
        return ContestInput(slug=slug, spec=contest.spec_data, plan=contest.plan, sender=signed)

    def _signed(self, request: Promote, federal: str) -> Promote:
        return request.model_copy(update={"sender": self.konkurs.senders.sign(
            SYSTEM, purpose("promote", federal, request))})

    def all(self) -> list[Callable[..., Awaitable[CommandResult]]]:
        return [self.receive_promotion, self.promote_winners]
