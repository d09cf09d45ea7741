"""The worker's single registration list: every workflow and activity lives here once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

from activities.contest import ContestActivities
from activities.stages import StageActivities
from services.checkpoints import Checkpoints
from services.konkurs import Konkurs
from workflows.contest import ContestWorkflow
from workflows.judging import NominationJudgingWorkflow
from workflows.models import TASK_QUEUE

WORKFLOWS = [ContestWorkflow, NominationJudgingWorkflow]

# On SIGTERM a worker stops polling and lets its activities finish this long before cancelling
# them, so a rolling restart of N workers does not turn every running activity into a retry.
GRACEFUL_SHUTDOWN = timedelta(seconds=20)


def build_worker(client: Client, konkurs: Konkurs, task_queue: str = TASK_QUEUE) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[*ContestActivities(konkurs).all(), *StageActivities(konkurs, client).all()],
        graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
    )


log = structlog.get_logger("konkurs.worker")


@asynccontextmanager
async def checkpointing(checkpoints: Checkpoints, every: float) -> AsyncIterator[None]:
    """While the block runs, publish a signed chain head every `every` seconds when the chain has
    moved since the file's last head; 0 publishes none. On leaving, a head being written is
    finished first, so the store is never closed under it."""
    if every <= 0:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(_publish_every(checkpoints, every, stop), name="checkpoints")
    try:
        yield
    finally:
        stop.set()
        await task


async def _publish_every(checkpoints: Checkpoints, every: float, stop: asyncio.Event) -> None:
    while True:
        try:
            await asyncio.wait_for(stop.wait(), timeout=every)
            return
        except TimeoutError:
            pass
        try:
            head = await asyncio.to_thread(checkpoints.publish_if_grown)
        except Exception as error:  # a store or disk hiccup: log it, try again next time
            log.warning("checkpoint_failed", error=f"{type(error).__name__}: {error}")
            continue
        if head is not None:
            log.info("checkpoint_published", position=head.position, link=head.link)
