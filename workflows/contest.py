"""`ContestWorkflow`: one per contest. It owns time and phase changes; the store owns the facts."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.errors import KonkursError
    from domain.phases import TERMINAL_PHASES, Phase, check_extension, describe_moment
    from workflows.models import (
        AnnounceInput,
        CancelContest,
        CancellationInput,
        ClosePhase,
        CommandResult,
        ConclusionInput,
        ContestInput,
        ContestResult,
        ContestState,
        ExtendDeadline,
        ExtensionInput,
        PhaseChangeInput,
    )

# Activities heartbeat, so a worker killed mid-activity is noticed in seconds, not an hour.
ACTIVITY_TIMEOUT = timedelta(hours=1)
ACTIVITY_HEARTBEAT = timedelta(seconds=10)
ACTIVITY_RETRIES = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=["KonkursError"],
)

CONCLUSION_ON_CLOSE = {
    Phase.COLLECTING: "conclude_screening",
    Phase.JUDGING: "conclude_judging",
    Phase.VOTING: "tally_votes",
}


@workflow.defn(name="Contest")
class ContestWorkflow:
    @workflow.init
    def __init__(self, contest: ContestInput) -> None:
        self._slug = contest.slug
        self._plan = contest.plan
        self._phase = Phase.ANNOUNCED
        self._close_request: ClosePhase | None = None
        self._cancel_request: tuple[CancelContest, str] | None = None
        self._woken = False
        self._steps: list[str] = []

    @workflow.run
    async def run(self, contest: ContestInput) -> ContestResult:
        await self._act("announce", AnnounceInput(
            spec=contest.spec, plan=contest.plan, command_id=f"{self._slug}:announce"))
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
            if self._close_request is not None and self._close_request.phase == phase:
                return "operator"
            remaining = self._plan.window(phase).closes_at - workflow.now()
            if remaining <= timedelta(0):
                return "deadline"
            self._woken = False
            try:
                await workflow.wait_condition(lambda: self._woken, timeout=remaining)
            except TimeoutError:
                pass

    async def _close(self, phase: Phase, cause: str) -> None:
        reason = self._close_request.reason if self._close_request and cause == "operator" else ""
        await self._act("change_phase", PhaseChangeInput(
            slug=self._slug, closed=phase, cause=cause, reason=reason,
            command_id=f"{self._slug}:close:{phase}"))
        self._close_request = None
        self._steps.append(f"{phase} closed by {cause}")
        conclusion = CONCLUSION_ON_CLOSE.get(phase)
        if conclusion:
            await self._conclude(conclusion)
        opened = self._plan.next_phase(phase)
        if opened == Phase.RESULTS:
            await self._conclude("declare_results")
        if phase == Phase.RESULTS:
            await self._conclude("publish_results")
        self._phase = opened

    async def _conclude(self, activity: str) -> None:
        await self._act(activity, ConclusionInput(
            slug=self._slug, command_id=f"{self._slug}:{activity}"))
        self._steps.append(activity)

    async def _cancel(self) -> None:
        assert self._cancel_request is not None
        request, command_id = self._cancel_request
        await self._act("cancel_contest", CancellationInput(
            slug=self._slug, reason=request.reason, command_id=command_id))
        self._steps.append(f"cancelled in {self._phase}")
        self._phase = Phase.CANCELLED

    async def _act(self, activity: str, argument: object) -> CommandResult:
        result: CommandResult = await workflow.execute_activity(
            activity, argument, result_type=CommandResult, start_to_close_timeout=ACTIVITY_TIMEOUT,
            heartbeat_timeout=ACTIVITY_HEARTBEAT, retry_policy=ACTIVITY_RETRIES,
        )
        return result

    @workflow.query
    def state(self) -> ContestState:
        return ContestState(
            slug=self._slug, phase=self._phase, plan=self._plan, steps=list(self._steps),
            cancel_reason=self._cancel_request[0].reason if self._cancel_request else None,
        )

    @workflow.update
    async def extend_deadline(self, request: ExtendDeadline) -> ContestState:
        await self._act("extend_deadline", ExtensionInput(
            slug=self._slug, phase=request.phase, closes_at=request.closes_at,
            reason=request.reason, command_id=self._update_command_id()))
        self._plan = self._plan.with_deadline(request.phase, request.closes_at)
        self._steps.append(f"{request.phase} extended to {describe_moment(request.closes_at)}")
        self._woken = True
        return self.state()

    @extend_deadline.validator
    def _validate_extension(self, request: ExtendDeadline) -> None:
        self._check_running()
        if request.closes_at <= workflow.now():
            raise _rejected(f"new deadline {describe_moment(request.closes_at)} is in the past")
        try:
            check_extension(self._plan, self._phase, request.phase, request.closes_at)
        except KonkursError as error:
            raise _rejected(str(error)) from None

    @workflow.update
    async def close_phase(self, request: ClosePhase) -> ContestState:
        self._close_request = request
        self._woken = True
        await workflow.wait_condition(lambda: self._phase != request.phase)
        return self.state()

    @close_phase.validator
    def _validate_close(self, request: ClosePhase) -> None:
        self._check_running()
        if request.phase != self._phase:
            raise _rejected(f"contest {self._slug} is in phase {self._phase}, not {request.phase}")
        if self._close_request is not None:
            raise _rejected(f"closing {self._phase} is already under way")

    @workflow.update
    async def cancel(self, request: CancelContest) -> ContestState:
        self._cancel_request = (request, self._update_command_id())
        self._woken = True
        await workflow.wait_condition(lambda: self._phase in TERMINAL_PHASES)
        if self._phase != Phase.CANCELLED:
            raise _rejected(f"contest {self._slug} closed before it could be cancelled")
        return self.state()

    @cancel.validator
    def _validate_cancel(self, request: CancelContest) -> None:
        self._check_running()
        if not request.reason.strip():
            raise _rejected("a cancellation needs a reason")
        if self._cancel_request is not None:
            raise _rejected("a cancellation is already under way")

    def _check_running(self) -> None:
        if self._phase in TERMINAL_PHASES:
            raise _rejected(f"contest {self._slug} is already {self._phase}")

    @staticmethod
    def _update_command_id() -> str:
        info = workflow.current_update_info()
        assert info is not None
        return f"{workflow.info().workflow_id}:update:{info.id}"


def _rejected(message: str) -> ApplicationError:
    return ApplicationError(message, type="InvalidCommand", non_retryable=True)
