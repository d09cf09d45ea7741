"""The one bootstrap: settings, then the store and its services, then the Temporal client and
the worker, each made once per process and only when first needed.

The CLI, the worker, the demo and the tests all start here, so every entry point runs the same
wiring against the same settings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from functools import cache

from temporalio.client import Client
from temporalio.worker import Worker

from domain.errors import EngineUnavailable
from konkurs.settings import Settings
from konkurs.temporal import TemporalTarget, connect, resolve_target
from konkurs.worker import build_worker, checkpointing
from services.konkurs import Konkurs


class Bootstrap:
    def __init__(self, settings: Settings, store_env: Mapping[str, str] | None = None) -> None:
        """`store_env` replaces the store the settings name: tests give each test its own."""
        self.settings = settings
        self._store_env = store_env
        self._services: Konkurs | None = None
        self._client: tuple[asyncio.AbstractEventLoop, Client] | None = None

    @property
    def services(self) -> Konkurs:
        """The services over the store the settings name, opened on first use: a command that
        only talks to Temporal never opens the store."""
        if self._services is None:
            self._services = Konkurs(env=self._store_env or self.settings.store_env(),
                                     identity=self.settings.identity_provider(),
                                     actor_key=self.settings.actor_key,
                                     signing_key=self.settings.signing_key,
                                     checkpoints_path=self.settings.checkpoints_path)
        return self._services

    async def client(self, target: TemporalTarget | None = None) -> Client:
        """The client of the running event loop: each `asyncio.run` of the CLI connects anew, and
        a finished loop's client is let go."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._client[0] is not loop:
            self._client = (loop, await _connect(target or resolve_target()))
        return self._client[1]

    def worker(self, client: Client, task_queue: str | None = None) -> Worker:
        return build_worker(client, self.services, task_queue or self.settings.task_queue)

    def checkpointing(self) -> AbstractAsyncContextManager[None]:
        """Beside a worker: a signed chain head every KONKURS_CHECKPOINT_EVERY seconds while the
        chain grows. Refuses at once when no head could be signed or appended, rather than at
        the worker's first seal."""
        every = self.settings.checkpoint_every
        self.services.checkpoints.check_ready()
        return checkpointing(self.services.checkpoints, every)

    def close(self) -> None:
        if self._services is not None:
            self._services.close()
            self._services = None


@cache
def bootstrap() -> Bootstrap:
    """The process's bootstrap, from the environment."""
    return Bootstrap(Settings.from_env())


async def _connect(target: TemporalTarget) -> Client:
    try:
        return await connect(target)
    except RuntimeError:
        how = ("start the embedded one with `konkurs server`" if target.embedded
               else "check TEMPORAL_ADDRESS / your envconfig profile")
        raise EngineUnavailable(f"cannot reach the Temporal server at {target.address}: {how}") from None
