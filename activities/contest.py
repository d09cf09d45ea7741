"""Contest activities: each hands its order to a service, in a thread, and returns its result.

Every order carries a command id, so a retry finds its own events and writes nothing. The
services come in through the constructor; this module imports none of them, so a workflow can
name these activities without loading the store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.commands.contest import (
    Announce,
    RecordCancellation,
    RecordExtension,
    RecordPhaseChange,
    ReviewParticipation,
)
from domain.commands.judging import ConcludeNomination, RemindExperts
from domain.commands.order import CommandResult, ContestOrder
from domain.commands.senders import Verified, VerifySender
from domain.errors import KonkursError

if TYPE_CHECKING:
    from services.konkurs import Konkurs

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


def refused(error: KonkursError) -> ApplicationError:
    """A broken rule fails the activity for good, naming its domain error for the caller."""
    return ApplicationError(str(error), type(error).__name__, type="KonkursError", non_retryable=True)


async def run_command(slug: str, command: Callable[[], CommandResult]) -> CommandResult:
    """Run a blocking service command in a thread; a rule it breaks fails the activity for good."""
    name = activity.info().activity_type
    try:
        result = await heartbeating(asyncio.to_thread(command))
    except KonkursError as error:
        log.warning("activity_refused", activity=name, contest=slug, error=str(error))
        raise refused(error) from None
    log.info("activity_done", activity=name, contest=slug, applied=result.applied)
    return result


class ContestActivities:
    def __init__(self, konkurs: Konkurs) -> None:
        self.konkurs = konkurs

    @activity.defn
    async def verify_sender(self, check: VerifySender) -> Verified:
        """Whether the sender of an Update or a start is who it says, vouched for by an entry
        point of this deployment, with a credential that still holds."""
        try:
            return await asyncio.to_thread(self.konkurs.senders.verify, check)
        except KonkursError as error:
            log.warning("sender_refused", purpose=check.purpose, error=str(error))
            raise refused(error) from None

    @activity.defn
    async def announce(self, order: Announce) -> CommandResult:
        return await run_command(order.spec.slug, lambda: self.konkurs.contests.announce(order))

    @activity.defn
    async def change_phase(self, order: RecordPhaseChange) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.contests.change_phase(order))

    @activity.defn
    async def extend_deadline(self, order: RecordExtension) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.contests.extend_deadline(order))

    @activity.defn
    async def cancel_contest(self, order: RecordCancellation) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.contests.cancel(order))

    @activity.defn
    async def conclude_screening(self, order: ContestOrder) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.results.conclude_screening(order))

    @activity.defn
    async def assign_experts(self, order: ContestOrder) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.judging.assign_experts(order))

    @activity.defn
    async def remind_experts(self, order: RemindExperts) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.judging.remind_experts(order))

    @activity.defn
    async def conclude_nomination(self, order: ConcludeNomination) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.judging.conclude_nomination(order))

    @activity.defn
    async def open_cards(self, order: ContestOrder) -> dict[str, int]:
        """Per nomination, the cards still open: an early close of judging is refused while any
        are, unless forced. Reads only."""
        try:
            return await asyncio.to_thread(self.konkurs.results.open_cards, order)
        except KonkursError as error:
            raise refused(error) from None

    @activity.defn
    async def conclude_judging(self, order: ContestOrder) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.results.conclude_judging(order))

    @activity.defn
    async def tally_votes(self, order: ContestOrder) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.results.tally_votes(order))

    @activity.defn
    async def declare_results(self, order: ContestOrder) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.results.declare_results(order))

    @activity.defn
    async def publish_results(self, order: ContestOrder) -> CommandResult:
        return await run_command(order.slug, lambda: self.konkurs.results.publish_results(order))

    @activity.defn
    async def review_participation(self, order: ReviewParticipation) -> CommandResult:
        return await run_command(
            order.slug, lambda: self.konkurs.participation.review_participation(order))

    def all(self) -> list[Callable[..., Awaitable[Any]]]:
        return [
            self.verify_sender, self.announce, self.change_phase, self.extend_deadline, self.cancel_contest,
            self.conclude_screening, self.assign_experts, self.remind_experts,
            self.conclude_nomination, self.open_cards, self.conclude_judging, self.tally_votes,
            self.declare_results, self.publish_results, self.review_participation,
        ]
