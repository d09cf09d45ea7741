"""How workflows call activities: by their methods, with one set of timeouts and retries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.contest import ContestActivities
    from domain.actors import Actor, SignedActor
    from domain.commands.senders import VerifySender

OrderT = TypeVar("OrderT")
ResultT = TypeVar("ResultT")

# Activities heartbeat, so a worker killed mid-activity is noticed in seconds, not an hour.
ACTIVITY_TIMEOUT = timedelta(hours=1)
ACTIVITY_HEARTBEAT = timedelta(seconds=10)
ACTIVITY_RETRIES = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=["KonkursError"],
)


async def act(activity: Callable[[Any, OrderT], Awaitable[ResultT]], order: OrderT) -> ResultT:
    """Run one activity method on `order`; the method's return annotation is its result type."""
    return await workflow.execute_activity_method(
        activity, order, start_to_close_timeout=ACTIVITY_TIMEOUT,
        heartbeat_timeout=ACTIVITY_HEARTBEAT, retry_policy=ACTIVITY_RETRIES,
    )


async def verified(sender: SignedActor | None, purpose: str) -> Actor:
    """The sender's actor once the worker has checked its signature and credential; a sender
    it cannot vouch for refuses the command, and nothing is written."""
    try:
        return (
            await act(ContestActivities.verify_sender, VerifySender(sender=sender, purpose=purpose))
        ).actor
    except ActivityError as failure:
        raise refusal(failure) from None


def refusal(failure: ActivityError) -> ApplicationError:
    """A refused activity's reason, as the caller of an Update should read it."""
    cause = failure.cause
    if not isinstance(cause, ApplicationError):
        return rejected(str(failure))
    return rejected(cause.message, *cause.details[:1])


def rejected(message: str, kind: str = "InvalidCommand") -> ApplicationError:
    """What a validator or handler raises to refuse a command: the caller sees `message`, and
    `kind` names the domain error (`Forbidden`), so an entry point can answer as it deserves."""
    return ApplicationError(message, kind, type="InvalidCommand", non_retryable=True)
