"""The worker's single registration list: every workflow and activity lives here once."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from activities.contest import ContestActivities
from activities.stages import StageActivities
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
