"""How workflows call activities: by name, with one set of timeouts and retries."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.models import CommandResult

# Activities heartbeat, so a worker killed mid-activity is noticed in seconds, not an hour.
ACTIVITY_TIMEOUT = timedelta(hours=1)
ACTIVITY_HEARTBEAT = timedelta(seconds=10)
ACTIVITY_RETRIES = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=["KonkursError"],
)


async def act(activity: str, argument: object) -> CommandResult:
    result: CommandResult = await workflow.execute_activity(
        activity, argument, result_type=CommandResult, start_to_close_timeout=ACTIVITY_TIMEOUT,
        heartbeat_timeout=ACTIVITY_HEARTBEAT, retry_policy=ACTIVITY_RETRIES,
    )
    return result


def rejected(message: str) -> ApplicationError:
    """What a validator or handler raises to refuse a command: the caller sees `message`."""
    return ApplicationError(message, type="InvalidCommand", non_retryable=True)
