"""The API in process: the app over a world of the permissions matrix, with a client that runs
its lifespan and a token for each caller.

`serve(state)` brings this test's store to a state; `shared(state)` hands out one world per state
for the whole module, for calls that must write nothing (refusals and reads), so a matrix of
hundreds of cells builds a handful of worlds.

No Temporal server is reachable from these tests: TEMPORAL_ADDRESS names a closed port, so an
operator's Update that gets past the rights check fails at once instead of reaching a server
another test started on the embedded address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from konkurs.api import create_app
from konkurs.bootstrap import Bootstrap
from konkurs.settings import Settings
from services.konkurs import Konkurs
from tests.api.world import Prepare, Serve, Served, State, serve_in
from tests.conftest import backend_of
from tests.stores import PostgresServer, Stores

NO_TEMPORAL = "127.0.0.1:9"


@pytest.fixture(autouse=True, scope="module")
def no_temporal() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TEMPORAL_ADDRESS", NO_TEMPORAL)
        patch.delenv("TEMPORAL_PROFILE", raising=False)
        yield


@pytest.fixture
def app(wiring: Bootstrap) -> FastAPI:
    return create_app(wiring)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as made:
        yield made


@pytest.fixture
def serve(konkurs: Konkurs, client: TestClient) -> Serve:
    """This test's store brought to a state, served."""
    return lambda state, prepare=None: serve_in(konkurs, client, state, prepare)


def open_wiring(stores: Stores, home: Path) -> Bootstrap:
    """What the `wiring` fixture opens, in `home`."""
    env = stores.env(home / "konkurs.db")
    return Bootstrap(Settings(home=home, persistence_module=env["PERSISTENCE_MODULE"], production=False),
                     store_env=env)


@pytest.fixture(scope="module")
def shared(
    request: pytest.FixtureRequest, postgres_server: PostgresServer | None,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Serve]:
    """One world per state for the module, served: only for calls that write nothing."""
    stores = Stores(backend_of(request.config, request.path), postgres_server)
    built: dict[tuple[State, Prepare | None], Served] = {}
    with ExitStack() as stack:
        stack.callback(stores.close)

        def serve(state: State, prepare: Prepare | None = None) -> Served:
            if (state, prepare) not in built:
                wiring = open_wiring(stores, tmp_path_factory.mktemp("world"))
                stack.callback(wiring.close)
                client = stack.enter_context(TestClient(create_app(wiring)))
                built[state, prepare] = serve_in(wiring.services, client, state, prepare)
            return built[state, prepare]

        yield serve
