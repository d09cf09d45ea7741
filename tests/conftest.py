from __future__ import annotations

import os
import sys
import uuid
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


@pytest.fixture
def postgres_env() -> Iterator[dict[str, str]]:
    """The eventsourcing environment of a fresh PostgreSQL database, dropped afterwards.

    Needs POSTGRES_HOST etc. of a server (`.ci/run` starts one); without them the test is skipped.
    """
    if "POSTGRES_HOST" not in os.environ:
        pytest.skip("no PostgreSQL server: set POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER")
    import psycopg

    server = {k: v for k, v in os.environ.items() if k.startswith("POSTGRES_")}
    name = f"konkurs_{uuid.uuid4().hex[:12]}"
    admin = dict(host=server["POSTGRES_HOST"], port=server.get("POSTGRES_PORT", "5432"),
                 user=server.get("POSTGRES_USER", "postgres"),
                 password=server.get("POSTGRES_PASSWORD", ""),
                 dbname=server.get("POSTGRES_DBNAME", "postgres"), autocommit=True)
    with psycopg.connect(**admin) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    yield {**server, "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": name}
    with psycopg.connect(**admin) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(BIN / "temporal-test-server"),
    ) as env:
        yield env
