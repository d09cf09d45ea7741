"""Driving a workflow on the time-skipping server: wait for a phase, skip to a moment."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.phases import Phase
from workflows.contest import ContestWorkflow
from workflows.models import ContestState


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
