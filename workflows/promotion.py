"""A stage's promotions: the federal stage takes regional winners while it collects, and a
regional stage sends its winners on once it has published its results."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.stages import StageActivities
    from domain.commands.contest import ReceivePromotion
    from domain.phases import Phase, PhasePlan, describe_moment
    from workflows.models import ContestInput, Promote, PromotionInput, PromotionReceipt, purpose
    from workflows.steps import act, refusal, rejected, verified


class PromotionUpdates:
    """Mixed into the contest workflow, whose state these attributes are."""

    _slug: str
    _phase: Phase
    _plan: PhasePlan
    _steps: list[str]
    _contest: ContestInput
    _closed_at: dict[Phase, datetime]

    async def promote_winners(self) -> None:
        """Send the winners to the federal stage; the activity records whether it took them."""
        await act(StageActivities.promote_winners, PromotionInput(
            slug=self._slug, federal=self._contest.federal, task_queue=workflow.info().task_queue,
            command_id=f"{self._slug}:promote"))  # the activity acts as the engine
        self._steps.append("winners promoted")

    @workflow.update
    async def promote(self, request: Promote) -> PromotionReceipt:
        """A regional stage's winners arrive; the first promotion may have started this run. The
        store takes them only as the stage's published results give them, once per stage."""
        batch = request.batch
        actor = await verified(request.sender, purpose("promote", self._slug, request))
        await workflow.wait_condition(lambda: self._phase != Phase.ANNOUNCED)
        self._check_collecting(batch.stage)
        try:
            received = await act(StageActivities.receive_promotion, ReceivePromotion(
                federal=self._slug, batch=batch, command_id=f"{self._slug}:promotion:{batch.stage}",
                actor=actor))
        except ActivityError as failure:
            raise refusal(failure) from None  # e.g. not what the stage published: the sender reads why
        if received.applied:
            self._steps.append(f"{len(batch.entries)} promoted from {batch.stage}")
        return PromotionReceipt(stage=batch.stage, references=[e.reference for e in batch.entries])

    @promote.validator
    def _validate_promotion(self, request: Promote) -> None:
        batch = request.batch
        self._check_sender(request, f"take promoted winners from {batch.stage}", from_engine=True)
        self._check_running()
        if self._phase == Phase.ANNOUNCED:
            opens = self._plan.window(Phase.ANNOUNCED).closes_at
            if opens > workflow.now():
                raise rejected(f"federal stage {self._slug} opens collection at "
                                f"{describe_moment(opens)}; promotion from {batch.stage} refused")
            return
        self._check_collecting(batch.stage)

    def _check_collecting(self, stage: str) -> None:
        if self._phase != Phase.COLLECTING:
            closed = self._closed_at.get(Phase.COLLECTING, self._plan.window(Phase.COLLECTING).closes_at)
            raise rejected(f"federal stage {self._slug} closed collection at "
                            f"{describe_moment(closed)}; promotion from {stage} refused")

    if TYPE_CHECKING:
        def _check_running(self) -> None: ...

        def _check_sender(self, request: Promote, right: str, from_engine: bool = False) -> None: ...
