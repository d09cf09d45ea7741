"""What every time-skipping workflow test shares: a worker on a task queue of its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from konkurs.bootstrap import Bootstrap
from konkurs.operations import Signer
from tests.factories import OPERATOR


@pytest.fixture
async def queue(time_skipping_env: WorkflowEnvironment, wiring: Bootstrap) -> AsyncIterator[str]:
    """A worker on a task queue of its own, for this test's contests."""
    name = f"test-{uuid.uuid4()}"
    async with wiring.worker(time_skipping_env.client, task_queue=name):
        yield name


@pytest.fixture
def client(time_skipping_env: WorkflowEnvironment, queue: str, wiring: Bootstrap) -> Client:
    """The environment's client, carrying the test's queue as `test_queue` and the operator the
    tests act as, signing with the worker's key, as `test_signer`."""
    client = time_skipping_env.client
    client.test_queue = queue  # type: ignore[attr-defined]
    client.test_signer = Signer(wiring.services.senders, OPERATOR)  # type: ignore[attr-defined]
    return client
