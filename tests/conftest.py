from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from konkurs.bootstrap import Bootstrap
from konkurs.settings import Settings
from services.konkurs import Konkurs
from tests.example_contests import run_example
from tests.stores import BACKENDS, PostgresServer, Stores

BIN = Path(sys.executable).parent
UNIT_TIER = Path(__file__).parent / "unit"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STORE_FIXTURES = {"stores", "postgres_env"}

# Properties must not fail on a busy 2-core machine's timing, and CI should see the same examples.
settings.register_profile("konkurs", deadline=None, derandomize=True)
settings.load_profile("konkurs")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store", choices=BACKENDS, default=os.environ.get("KONKURS_TEST_STORE"),
        help="event store every test runs on: sqlite, postgres (a fresh database per test on the "
             "server of POSTGRES_HOST etc.) or memory (the library's POPO recorder). By default "
             "the unit tier runs in memory and the other tiers on SQLite. Default from "
             "KONKURS_TEST_STORE.")


def backend_of(config: pytest.Config, path: Path) -> str:
    """The store a test at `path` runs on: the one chosen, else its tier's."""
    chosen: str | None = config.getoption("store")
    return chosen or ("memory" if path.is_relative_to(UNIT_TIER) else "sqlite")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("store") not in (*BACKENDS, None):
        raise pytest.UsageError(f"KONKURS_TEST_STORE must be one of {', '.join(BACKENDS)}")
    if config.getoption("store") == "postgres" and "POSTGRES_HOST" not in os.environ:
        raise pytest.UsageError(
            "--store=postgres needs a server: set POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, "
            "POSTGRES_PASSWORD and POSTGRES_DBNAME (a database to create the test databases from)")


def pytest_report_header(config: pytest.Config) -> str:
    return f"event store: {config.getoption('store') or 'memory for the unit tier, SQLite for the others'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`@pytest.mark.only_on("sqlite", reason=...)`: a test of one backend, skipped on the other.

    The PostgreSQL pass leaves out the other tests that open no store (rules, spec parsing,
    mocked activities): they would run exactly as in the SQLite pass.
    """
    kept, storeless = [], []
    for item in items:
        backend = backend_of(config, item.path)
        marker = item.get_closest_marker("only_on")
        if marker is not None and marker.args[0] != backend:
            item.add_marker(pytest.mark.skip(reason=f"{marker.args[0]} only: {marker.kwargs['reason']}"))
        elif backend == "postgres" and not STORE_FIXTURES & set(getattr(item, "fixturenames", ())):
            storeless.append(item)
            continue
        kept.append(item)
    if storeless:
        config.hook.pytest_deselected(items=storeless)
        items[:] = kept


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer | None:
    return PostgresServer.from_environ()


@pytest.fixture
def stores(
    request: pytest.FixtureRequest, postgres_server: PostgresServer | None
) -> Iterator[Stores]:
    """Fresh stores on the test's backend: `stores.env(tmp_path / "name.db")`."""
    made = Stores(backend_of(request.config, request.node.path), postgres_server)
    yield made
    made.close()


@pytest.fixture
def store_env(stores: Stores, tmp_path: Path) -> dict[str, str]:
    """The eventsourcing environment of this test's store, the one the `konkurs` fixture opens."""
    return stores.env(tmp_path / "konkurs.db")


@pytest.fixture
def wiring(store_env: dict[str, str], tmp_path: Path) -> Iterator[Bootstrap]:
    """The process wiring every entry point uses, over this test's store."""
    configured = Settings(home=tmp_path, persistence_module=store_env["PERSISTENCE_MODULE"],
                          production=False)
    made = Bootstrap(configured, store_env=store_env)
    yield made
    made.close()


@pytest.fixture
def konkurs(wiring: Bootstrap) -> Konkurs:
    return wiring.services


@pytest.fixture
def postgres_env(
    request: pytest.FixtureRequest, postgres_server: PostgresServer | None, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """The eventsourcing environment of a fresh PostgreSQL database, dropped afterwards, for a
    test of PostgreSQL itself.

    A test that names this fixture runs in the PostgreSQL pass (`--store=postgres`), not again
    in the SQLite one. Slow tests, which CI runs once, and tests that ask for it through
    `request.getfixturevalue` (the PostgreSQL pass cannot see those) run whenever a server is set.
    """
    if postgres_server is None:
        pytest.skip("no PostgreSQL server: set POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER")
    if (request.config.getoption("store") != "postgres" and "postgres_env" in request.node.fixturenames
            and request.node.get_closest_marker("slow") is None):
        pytest.skip("a PostgreSQL test: it runs with --store=postgres (make test-postgres)")
    made = Stores("postgres", postgres_server)
    yield made.env(tmp_path / "postgres.db")
    made.close()


@pytest.fixture(scope="session")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter,
        test_server_existing_path=str(BIN / "temporal-test-server"),
        # The default 5 s is not always enough on a 2-core machine in the middle of the suite.
        test_server_startup_timeout=timedelta(seconds=60),
    ) as env:
        yield env


@pytest.fixture
def published(konkurs: Konkurs, tmp_path: Path) -> str:
    """Smart Dialog run in process to published results: screening, z-scores, a vote."""
    [slug] = run_example(konkurs, EXAMPLES / "smart-dialog-2023.yaml", tmp_path)
    audit = konkurs.audit.audit_contest(slug)
    assert audit.holds, [d.describe() for d in audit.differences]
    return slug
