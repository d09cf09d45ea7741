from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from domain.konkurs import Konkurs

BIN = Path(sys.executable).parent

# Properties must not fail on a busy 2-core machine's timing, and CI should see the same examples.
settings.register_profile("konkurs", deadline=None, derandomize=True)
settings.load_profile("konkurs")


@pytest.fixture
def konkurs(tmp_path: Path) -> Iterator[Konkurs]:
    app = Konkurs(env={
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "konkurs.db"),
    })
    yield app
    app.close()


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    ) as env:
        yield env
