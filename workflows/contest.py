"""`ContestWorkflow`: one per contest. It owns time and phase changes; the store owns the facts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ChildWorkflowError
from temporalio.workflow import ChildWorkflowHandle

with workflow.unsafe.imports_passed_through():
    from activities.contest import ContestActivities
    from domain.access import Stage, require_operator
    from domain.actors import SYSTEM, Actor, ActorKind
    from domain.commands.contest import Announce, RecordCancellation, RecordExtension, RecordPhaseChange
    from domain.commands.order import CommandResult, ContestOrder
    from domain.errors import KonkursError
    from domain.phases import TERMINAL_PHASES, Phase, PhasePlan, check_extension, describe_moment
    from domain.rules.judgement import describe_open_cards
    from domain.spec import ContestSpec
    from workflows.judging import NominationJudgingWorkflow
    from workflows.models import (
        CancelContest,
        ClosePhase,
        ContestInput,
        ContestResult,
        ContestState,
        ExtendDeadline,
        OperatorUpdate,
        PanelInput,
        PanelResult,
        announcement_purpose,
        purpose,
    )
    from workflows.participation import ParticipationReviews
    from workflows.promotion import PromotionUpdates
    from workflows.steps import act, rejected, verified


Conclusion = Callable[[ContestActivities, ContestOrder], Awaitable[CommandResult]]

CONCLUSION_ON_CLOSE: dict[Phase, Conclusion] = {
    Phase.COLLECTING: ContestActivities.conclude_screening,
    Phase.MATERIALS: ContestActivities.conclude_screening,
    Phase.JUDGING: ContestActivities.conclude_judging,
    Phase.VOTING: ContestActivities.tally_votes,
}


def conclusion_on_close(plan: PhasePlan, phase: Phase) -> Conclusion | None:
    """What closing `phase` concludes: screening waits for the materials gate where there is one."""
    if phase == Phase.COLLECTING and plan.intake_closer != Phase.COLLECTING:
        return None
    return CONCLUSION_ON_CLOSE.get(phase)


@workflow.defn(name="Contest")
class ContestWorkflow(PromotionUpdates):
    @workflow.init
    def __init__(self, contest: ContestInput) -> None:
        self._slug = contest.slug
        self._plan = contest.plan
        self._phase = Phase.ANNOUNCED
        self._stage = Stage.of(ContestSpec.model_validate(contest.spec))
        self._close_request: tuple[ClosePhase, Actor] | None = None
        self._cancel_request: tuple[CancelContest, str, Actor] | None = None
        self._woken = False
        self._steps: list[str] = []
        self._nominations = contest.nominations
        self._reminder_days = contest.reminder_days
        self._panels: dict[str, ChildWorkflowHandle[Any, PanelResult]] = {}
        self._contest = contest
        self._closed_at: dict[Phase, datetime] = {}
        self._reviews = ParticipationReviews(contest)

    @workflow.run
    async def run(self, contest: ContestInput) -> ContestResult:
        announcer = await verified(contest.sender,
                                   announcement_purpose(contest.slug, contest.spec, contest.plan))
        await act(ContestActivities.announce, Announce(
            spec=ContestSpec.model_validate(contest.spec), plan=contest.plan,
            command_id=f"{self._slug}:announce", actor=announcer))
        while self._phase not in TERMINAL_PHASES:
            closing = self._phase
            cause = await self._wait_for_close(closing)
            if cause is None:
                await self._cancel()
                break
            await self._close(closing, cause)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return ContestResult(slug=self._slug, final_phase=self._phase)

    async def _wait_for_close(self, phase: Phase) -> str | None:
        """Sleep until the phase's deadline, an operator's close, or a cancellation."""
        while True:
            if self._cancel_request is not None:
                return None
            if self._close_request is not None and self._close_request[0].phase == phase:
                return "operator"
            remaining = self._plan.window(phase).closes_at - workflow.now()
            if remaining <= timedelta(0):
                return "deadline"
            if phase == Phase.COLLECTING:
                reviewed = await self._reviews.review_due(self._plan)
                if reviewed:
                    self._steps.extend(reviewed)
                    continue  # reviews take time: look at requests and the clock again
                remaining = self._reviews.sleep_until_next(self._plan, remaining)
            self._woken = False
            try:
                await workflow.wait_condition(lambda: self._woken, timeout=remaining)
            except TimeoutError:
                pass

    async def _close(self, phase: Phase, cause: str) -> None:
        by_operator = self._close_request if cause == "operator" else None
        request, actor = by_operator or (None, SYSTEM)
        await act(ContestActivities.change_phase, RecordPhaseChange(
            slug=self._slug, closed=phase, cause=cause, reason=request.reason if request else "",
            command_id=f"{self._slug}:close:{phase}", actor=actor))
        self._close_request = None
        self._closed_at[phase] = workflow.now().astimezone(self._plan.window(phase).closes_at.tzinfo)
        self._steps.append(f"{phase} closed by {cause}")
        if phase == Phase.JUDGING:
            await self._close_panels()
        conclusion = conclusion_on_close(self._plan, phase)
        if conclusion:
            await self._conclude(conclusion)
        opened = self._plan.next_phase(phase)
        if opened == Phase.RESULTS:
            await self._conclude(ContestActivities.declare_results)
        if phase == Phase.RESULTS:
            await self._conclude(ContestActivities.publish_results)
            if self._contest.promotes:
                await self.promote_winners()
        if opened == Phase.JUDGING:
            await self._open_panels()
        self._phase = opened

    async def _open_panels(self) -> None:
        """Assign experts across the contest, then judge each nomination in a child workflow."""
        await self._conclude(ContestActivities.assign_experts)
        closes_at = self._plan.window(Phase.JUDGING).closes_at
        for nomination in self._nominations:
            self._panels[nomination] = await workflow.start_child_workflow(
                NominationJudgingWorkflow.run,
                PanelInput(slug=self._slug, nomination=nomination, closes_at=closes_at,
                           reminder_days=self._reminder_days),
                id=f"{workflow.info().workflow_id}-judging-{nomination}",
            )
        self._steps.append(f"{len(self._panels)} nomination panels opened")

    async def _close_panels(self) -> None:
        for panel in self._panels.values():
            await panel.signal(NominationJudgingWorkflow.close)
        for panel in self._panels.values():
            await panel
        self._steps.append(f"{len(self._panels)} nominations ranked")
    async def _conclude(self, activity: Conclusion) -> None:
        name = activity.__name__
        await act(activity, ContestOrder(slug=self._slug, command_id=f"{self._slug}:{name}",
                                         actor=SYSTEM))
        self._steps.append(name)

    async def _cancel(self) -> None:
        assert self._cancel_request is not None
        request, command_id, actor = self._cancel_request
        await act(ContestActivities.cancel_contest, RecordCancellation(
            slug=self._slug, reason=request.reason, command_id=command_id, actor=actor))
        for panel in self._panels.values():
            panel.cancel()
        for panel in self._panels.values():
            try:
                await panel
            except (asyncio.CancelledError, ChildWorkflowError):
                pass
        self._steps.append(f"cancelled in {self._phase}")
        self._phase = Phase.CANCELLED

    @workflow.query
    def state(self) -> ContestState:
        return ContestState(
            slug=self._slug, phase=self._phase, plan=self._plan, steps=list(self._steps),
            cancel_reason=self._cancel_request[0].reason if self._cancel_request else None,
        )

    @workflow.update
    async def extend_deadline(self, request: ExtendDeadline) -> ContestState:
        actor = await verified(request.sender, purpose("extend_deadline", self._slug, request))
        await act(ContestActivities.extend_deadline, RecordExtension(
            slug=self._slug, phase=request.phase, closes_at=request.closes_at,
            reason=request.reason, command_id=self._update_command_id(), actor=actor))
        self._plan = self._plan.with_deadline(request.phase, request.closes_at)
        if request.phase == Phase.JUDGING:
            for panel in self._panels.values():
                await panel.signal(NominationJudgingWorkflow.move_deadline, request.closes_at)
        self._steps.append(f"{request.phase} extended to {describe_moment(request.closes_at)}")
        self._woken = True
        return self.state()

    @extend_deadline.validator
    def _validate_extension(self, request: ExtendDeadline) -> None:
        self._check_sender(request, "extend deadlines")
        self._check_running()
        if request.closes_at <= workflow.now():
            raise rejected(f"new deadline {describe_moment(request.closes_at)} is in the past")
        try:
            check_extension(self._plan, self._phase, request.phase, request.closes_at)
        except KonkursError as error:
            raise rejected(str(error)) from None

    @workflow.update
    async def close_phase(self, request: ClosePhase) -> ContestState:
        actor = await verified(request.sender, purpose("close_phase", self._slug, request))
        if (request.phase == Phase.JUDGING and not request.force
                and workflow.patched("close-judging-refuses-open-cards")):
            missing = await act(ContestActivities.open_cards, ContestOrder(
                slug=self._slug, command_id=self._update_command_id(), actor=actor))
            if missing:
                raise rejected(f"{self._slug}: {describe_open_cards(missing)}")
        if self._close_request is not None or request.phase != self._phase:
            raise rejected(f"closing {request.phase} is already under way or done")
        self._close_request = (request, actor)
        self._woken = True
        await workflow.wait_condition(lambda: self._phase != request.phase)
        return self.state()

    @close_phase.validator
    def _validate_close(self, request: ClosePhase) -> None:
        self._check_sender(request, f"close {request.phase}")
        self._check_running()
        if request.phase != self._phase:
            raise rejected(f"contest {self._slug} is in phase {self._phase}, not {request.phase}")
        if self._close_request is not None:
            raise rejected(f"closing {self._phase} is already under way")
        if request.force and not request.reason.strip():
            raise rejected(f"closing {request.phase} with force needs a reason (--reason \"…\")")

    @workflow.update
    async def cancel(self, request: CancelContest) -> ContestState:
        actor = await verified(request.sender, purpose("cancel", self._slug, request))
        if self._cancel_request is not None:
            raise rejected("a cancellation is already under way")
        self._cancel_request = (request, self._update_command_id(), actor)
        self._woken = True
        await workflow.wait_condition(lambda: self._phase in TERMINAL_PHASES)
        if self._phase != Phase.CANCELLED:
            raise rejected(f"contest {self._slug} closed before it could be cancelled")
        return self.state()

    @cancel.validator
    def _validate_cancel(self, request: CancelContest) -> None:
        self._check_sender(request, "cancel the contest")
        self._check_running()
        if not request.reason.strip():
            raise rejected("a cancellation needs a reason")
        if self._cancel_request is not None:
            raise rejected("a cancellation is already under way")

    def _check_sender(self, request: OperatorUpdate, right: str, from_engine: bool = False) -> None:
        """An Update names who sends it, and they must have the right; the engine sends only
        what `from_engine` allows. The handler then has the worker check the signature, which
        a validator cannot."""
        if request.sender is None:
            raise rejected(f"refused: an Update to {right} must name the actor who sends it")
        actor = request.sender.actor
        if actor.kind == ActorKind.SYSTEM and not from_engine:
            raise rejected(f"refused: an Update to {right} cannot be sent as the engine")
        try:
            require_operator(actor, self._stage, right)
        except KonkursError as error:
            raise rejected(str(error)) from None

    def _check_running(self) -> None:
        if self._phase in TERMINAL_PHASES:
            raise rejected(f"contest {self._slug} is already {self._phase}")

    @staticmethod
    def _update_command_id() -> str:
        info = workflow.current_update_info()
        assert info is not None
        return f"{workflow.info().workflow_id}:update:{info.id}"

