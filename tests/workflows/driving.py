"""Driving a workflow on the time-skipping server: wait for a phase, skip to a moment."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any, TypeVar

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.workflow import UpdateMethodMultiParam

from domain.phases import Phase, PhasePlan
from domain.spec import ContestSpec
from konkurs.operations import Signer, contest_input
from workflows.contest import ContestWorkflow
from workflows.models import ContestInput, ContestState, OperatorUpdate

R = TypeVar("R")


async def phase_becomes(
    handle: WorkflowHandle[Any, Any], phase: Phase, seconds: float = 10
) -> ContestState:
    """Wait in real time, which queries do not skip: activities take real time to run."""
    deadline = time.monotonic() + seconds
    while True:
        state: ContestState = await handle.query(ContestWorkflow.state)
        if state.phase == phase:
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"workflow stayed in {state.phase}, expected {phase}")
        await asyncio.sleep(0.025)


async def sleep_until(env: WorkflowEnvironment, moment: datetime) -> None:
    """Skip to a moment: waiting on a result would let the server skip past the next deadline."""
    await env.sleep(moment - await env.get_current_time())


async def completed(handle: WorkflowHandle[Any, Any], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while (await handle.describe()).status != WorkflowExecutionStatus.COMPLETED:
        if time.monotonic() > deadline:
            raise AssertionError(f"{handle.id} has not completed")
        await asyncio.sleep(0.025)


def signer_of(client: Client) -> Signer:
    """The operator the tests act as, with the worker's key (see the `client` fixture)."""
    signer: Signer = client.test_signer  # type: ignore[attr-defined]
    return signer


def signed_input(client: Client, spec: ContestSpec, plan: PhasePlan | None = None) -> ContestInput:
    return contest_input(spec, plan or spec.phase_plan(), signer_of(client))


async def update(
    client: Client, handle: WorkflowHandle[Any, Any], method: UpdateMethodMultiParam[[Any, Any], R],
    request: OperatorUpdate, **options: Any,
) -> R:
    """Send an operator's Update as the CLI does: signed for this contest and this body."""
    slug = handle.id.removeprefix("contest-")
    result: R = await handle.execute_update(method, signer_of(client).update(method, slug, request),
                                            **options)
    return result
