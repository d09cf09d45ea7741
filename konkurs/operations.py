"""Operator commands that go through the contest's workflow: announce, extend, close, cancel."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    WorkflowUpdateStage,
)
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import UpdateMethodMultiParam

from domain import errors
from domain.access import Stage, require_operator
from domain.actors import Actor, SignedActor
from domain.aggregates import Contest
from domain.errors import (
    ContestAlreadyAnnounced,
    EngineUnavailable,
    InvalidCommand,
    KonkursError,
    UnknownContest,
)
from domain.ids import workflow_id
from domain.phases import PhasePlan, describe_deadline
from domain.rules.stages import regional_stage_specs
from domain.spec import ContestSpec
from services.senders import Senders
from workflows.contest import ContestWorkflow
from workflows.models import (
    TASK_QUEUE,
    ContestInput,
    ContestState,
    OperatorUpdate,
    announcement_purpose,
    purpose,
)

R = TypeVar("R")
U = TypeVar("U", bound=OperatorUpdate)

# The server lists a poller for minutes after its last long poll, which lasts up to a minute.
POLLER_SEEN_WITHIN = timedelta(seconds=75)
# How long a command waits for a worker to answer before it says to start one (KONKURS_WORKER_WAIT).
WORKER_WAIT_SECONDS = 20.0
START_WORKER = "start one with `konkurs worker`"


def plan_for(spec: ContestSpec, now: datetime, rebase_to_now: bool) -> PhasePlan:
    """The spec's plan, or the same intervals moved so the announcement is now (a rehearsal)."""
    plan = spec.phase_plan()
    return plan.shifted(rebase_shift(plan, now)) if rebase_to_now else checked_ahead(spec, plan, now)


def rebase_shift(plan: PhasePlan, now: datetime) -> timedelta:
    return now - plan.windows[0].closes_at


def checked_ahead(spec: ContestSpec, plan: PhasePlan, now: datetime) -> PhasePlan:
    collection = plan.windows[1]
    if collection.closes_at <= now:
        raise InvalidCommand(
            f"{spec.slug}: collection was open {describe_deadline(collection.closes_at)}, which has "
            "passed; fix the schedule, or rehearse it with --rebase-to-now"
        )
    return plan


@dataclass(frozen=True)
class Signer:
    """An entry point's authenticated actor, vouching for itself in each command it sends to the
    worker (see `services.senders`)."""

    senders: Senders
    actor: Actor

    def update(self, update: Callable[..., Any], slug: str, request: U) -> U:
        signed = self.senders.sign(self.actor, purpose(update.__name__, slug, request))
        return request.model_copy(update={"sender": signed})

    def announcement(self, slug: str, spec: dict[str, Any], plan: PhasePlan) -> SignedActor:
        return self.senders.sign(self.actor, announcement_purpose(slug, spec, plan))


def signer_for(senders: Senders, actor: Actor, contest: Contest, right: str) -> Signer:
    """The actor's signature on an Update to `contest`, once the policy the worker will apply lets
    them: a refusal comes at once, without a round trip to Temporal."""
    require_operator(actor, Stage.of(contest.spec), right)
    return Signer(senders, actor)


def contest_input(
    spec: ContestSpec, plan: PhasePlan, signer: Signer, federal: ContestInput | None = None
) -> ContestInput:
    """What a contest's workflow starts from, signed by who announces it."""
    require_operator(signer.actor, Stage.of(spec), "announce contests")  # refuse before anything starts
    data = spec.model_dump(mode="json")
    return ContestInput(slug=spec.slug, spec=data, plan=plan, federal=federal,
                        sender=signer.announcement(spec.slug, data, plan))


def stage_inputs(
    federal: ContestInput, spec: ContestSpec, shift: timedelta, now: datetime, signer: Signer
) -> list[ContestInput]:
    """The regional stages a federal spec declares, moved by the federal stage's own shift."""
    stages = []
    for stage in regional_stage_specs(spec):
        plan = stage.phase_plan().shifted(shift)
        stages.append(contest_input(stage, checked_ahead(stage, plan, now), signer, federal))
    return stages


async def require_worker(client: Client, task_queue: str = TASK_QUEUE, wait: float = 0) -> None:
    """Wait up to `wait` seconds for a worker to poll the queue, then refuse, rather than leave a
    command hanging; nothing has been sent yet."""
    deadline = time.monotonic() + wait
    while not await _worker_polls(client, task_queue):
        if time.monotonic() >= deadline:
            waited = f" (waited {wait:g}s)" if wait else ""
            raise EngineUnavailable(f"no worker is serving task queue {task_queue!r}{waited}: "
                                    f"{START_WORKER}; nothing was sent")
        await asyncio.sleep(min(0.5, max(deadline - time.monotonic(), 0.01)))


async def _worker_polls(client: Client, task_queue: str) -> bool:
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    recent = utc_now() - POLLER_SEEN_WITHIN
    return any(p.last_access_time.ToDatetime(UTC) >= recent for p in response.pollers)


async def announce(
    client: Client, contest: ContestInput, task_queue: str = TASK_QUEUE, wait: float = 0
) -> WorkflowHandle[Any, Any]:
    """Start the contest's workflow; `until_recorded` then waits for it to record the contest."""
    await require_worker(client, task_queue, wait)
    try:
        return await client.start_workflow(
            ContestWorkflow.run,
            contest,
            id=workflow_id(contest.slug),
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        )
    except WorkflowAlreadyStartedError:
        raise ContestAlreadyAnnounced(f"contest {contest.slug} is already announced") from None


async def until_recorded(
    handle: WorkflowHandle[Any, Any], slug: str, recorded: Callable[[], bool],
    wait: float = WORKER_WAIT_SECONDS,
) -> None:
    """Wait until the store holds the announced contest: a started workflow is not yet a contest.
    A worker that has gone leaves the start queued, and the operator is told so."""
    deadline = time.monotonic() + wait
    while not recorded():
        status = (await handle.describe()).status
        if status is not None and status != WorkflowExecutionStatus.RUNNING:
            raise InvalidCommand(f"contest {slug} was not announced: its workflow ended "
                                 f"{status.name.lower()}; see `temporal workflow show -w {handle.id}`")
        if time.monotonic() >= deadline:
            raise EngineUnavailable(
                f"contest {slug} is not announced yet: no worker recorded it within {wait:g}s; the "
                f"announcement is queued and will be recorded when a worker starts: {START_WORKER}"
            )
        await asyncio.sleep(0.2)


async def contest_handle(client: Client, slug: str) -> WorkflowHandle[Any, Any]:
    handle = client.get_workflow_handle(workflow_id(slug))
    try:
        await handle.describe()
    except Exception:
        raise UnknownContest(f"no contest {slug!r} is known to Temporal") from None
    return handle


async def live_state(
    client: Client, slug: str, wait: float = WORKER_WAIT_SECONDS
) -> tuple[ContestState, WorkflowExecutionStatus | None]:
    """The workflow's state, which a worker answers; a finished workflow's answer needs one too."""
    handle = await contest_handle(client, slug)
    description = await handle.describe()
    await require_worker(client, description.task_queue, wait)
    try:
        state: ContestState = await asyncio.wait_for(handle.query(ContestWorkflow.state), wait)
    except TimeoutError:
        raise EngineUnavailable(f"no worker answered about contest {slug} within {wait:g}s: "
                                f"{START_WORKER}") from None
    return state, description.status


async def send_update(
    client: Client, slug: str, update: UpdateMethodMultiParam[[ContestWorkflow, U], ContestState],
    request: U, signer: Signer, wait: float = WORKER_WAIT_SECONDS,
) -> ContestState:
    """Run an operator Update as `signer`'s actor; a rejection comes back as one line and nothing
    is written."""
    request = signer.update(update, slug, request)
    handle = await contest_handle(client, slug)
    description = await handle.describe()
    if description.status != WorkflowExecutionStatus.RUNNING:
        raise InvalidCommand(f"contest {slug} is no longer running; nothing changed")
    await require_worker(client, description.task_queue, wait)
    try:
        try:
            accepted = await asyncio.wait_for(
                handle.start_update(update, request, wait_for_stage=WorkflowUpdateStage.ACCEPTED), wait)
        except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
            what = getattr(update, "__name__", "the command")
            raise EngineUnavailable(
                f"no worker answered {what} of contest {slug} within {wait:g}s: it is not confirmed and "
                f"may still be carried out when a worker starts; {START_WORKER}, then check "
                f"`konkurs status {slug}`"
            ) from None
        state: ContestState = await accepted.result()
    except WorkflowUpdateFailedError as failure:
        cause = failure.cause or failure
        raise refusal_of(cause) from None
    return state


def refusal_of(cause: BaseException) -> KonkursError:
    """The domain error a refused Update names in its details, `InvalidCommand` if none."""
    message = getattr(cause, "message", None) or str(cause)
    details = getattr(cause, "details", None) or ("InvalidCommand",)
    kind = getattr(errors, str(details[0]), InvalidCommand)
    if not (isinstance(kind, type) and issubclass(kind, KonkursError)):
        kind = InvalidCommand
    return kind(message)


def utc_now() -> datetime:
    return datetime.now(UTC)
