"""Contest activities. Each carries a command id, so a retry finds its own events and stops."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.errors import KonkursError
from domain.konkurs import Konkurs
from domain.spec import ContestSpec
from workflows.models import (
    AnnounceInput,
    CancellationInput,
    CommandResult,
    ConclusionInput,
    ExtensionInput,
    NominationInput,
    ParticipationReviewInput,
    PhaseChangeInput,
    ReminderInput,
)

log = structlog.get_logger("konkurs.activities")
T = TypeVar("T")

HEARTBEAT_EVERY = 2.0


async def heartbeating(work: Awaitable[T]) -> T:
    """Await `work`, heartbeating so that a killed worker's activity is retried within the
    heartbeat timeout rather than the start-to-close one."""
    task = asyncio.ensure_future(work)
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY)
        if done:
            return task.result()
        activity.heartbeat()


async def run_command(name: str, slug: str, command: Callable[[], bool]) -> CommandResult:
    """Run a blocking store command in a thread; a rule it breaks fails the activity for good."""
    try:
        applied = await heartbeating(asyncio.to_thread(command))
    except KonkursError as error:
        log.warning("activity_refused", activity=name, contest=slug, error=str(error))
        raise ApplicationError(str(error), type="KonkursError", non_retryable=True) from None
    log.info("activity_done", activity=name, contest=slug, applied=applied)
    return CommandResult(applied=applied)


class ContestActivities:
    def __init__(self, konkurs: Konkurs) -> None:
        self.konkurs = konkurs

    @activity.defn(name="announce")
    async def announce(self, request: AnnounceInput) -> CommandResult:
        spec = ContestSpec.model_validate(request.spec)
        return await self._run("announce", spec.slug, lambda: self.konkurs.announce(
            spec, request.plan, request.command_id))

    @activity.defn(name="change_phase")
    async def change_phase(self, request: PhaseChangeInput) -> CommandResult:
        return await self._run("change_phase", request.slug, lambda: self.konkurs.change_phase(
            request.slug, request.closed, request.cause, request.reason, request.command_id))

    @activity.defn(name="extend_deadline")
    async def extend_deadline(self, request: ExtensionInput) -> CommandResult:
        return await self._run("extend_deadline", request.slug, lambda: self.konkurs.extend_deadline(
            request.slug, request.phase, request.closes_at, request.reason, request.command_id))

    @activity.defn(name="cancel_contest")
    async def cancel_contest(self, request: CancellationInput) -> CommandResult:
        return await self._run("cancel_contest", request.slug, lambda: self.konkurs.cancel(
            request.slug, request.reason, request.command_id))

    @activity.defn(name="conclude_screening")
    async def conclude_screening(self, request: ConclusionInput) -> CommandResult:
        return await self._conclude("conclude_screening", request, self.konkurs.conclude_screening)

    @activity.defn(name="conclude_judging")
    async def conclude_judging(self, request: ConclusionInput) -> CommandResult:
        return await self._conclude("conclude_judging", request, self.konkurs.conclude_judging)

    @activity.defn(name="tally_votes")
    async def tally_votes(self, request: ConclusionInput) -> CommandResult:
        return await self._conclude("tally_votes", request, self.konkurs.tally_votes)

    @activity.defn(name="assign_experts")
    async def assign_experts(self, request: ConclusionInput) -> CommandResult:
        return await self._conclude("assign_experts", request, self.konkurs.assign_experts)

    @activity.defn(name="remind_experts")
    async def remind_experts(self, request: ReminderInput) -> CommandResult:
        return await self._run("remind_experts", request.slug, lambda: self.konkurs.remind_experts(
            request.slug, request.nomination, request.closes_at, request.command_id))

    @activity.defn(name="conclude_nomination")
    async def conclude_nomination(self, request: NominationInput) -> CommandResult:
        return await self._run("conclude_nomination", request.slug, lambda: self.konkurs.conclude_nomination(
            request.slug, request.nomination, request.command_id))

    @activity.defn(name="declare_results")
    async def declare_results(self, request: ConclusionInput) -> CommandResult:
        return await self._conclude("declare_results", request, self.konkurs.declare_results)

    @activity.defn(name="publish_results")
    async def publish_results(self, request: ConclusionInput) -> CommandResult:
        return await self._conclude("publish_results", request, self.konkurs.publish_results)

    @activity.defn(name="review_participation")
    async def review_participation(self, request: ParticipationReviewInput) -> CommandResult:
        review = self.konkurs.review_participation
        return await self._run("review_participation", request.slug, lambda: review(
            request.slug, request.moment, request.command_id))

    async def _conclude(
        self, name: str, request: ConclusionInput, command: Callable[[str, str], bool]
    ) -> CommandResult:
        return await self._run(name, request.slug, lambda: command(request.slug, request.command_id))

    async def _run(self, name: str, slug: str, command: Callable[[], bool]) -> CommandResult:
        return await run_command(name, slug, command)

    def all(self) -> list[Callable[..., Awaitable[CommandResult]]]:
        return [
            self.announce, self.change_phase, self.extend_deadline, self.cancel_contest,
            self.conclude_screening, self.assign_experts, self.remind_experts,
            self.conclude_nomination, self.conclude_judging, self.tally_votes,
            self.declare_results, self.publish_results, self.review_participation,
        ]
