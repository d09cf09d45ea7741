"""What the CLI needs at run time: settings, the store, and a Temporal client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import Client

from domain.errors import KonkursError
from domain.konkurs import Konkurs
from konkurs.settings import Settings
from konkurs.store import open_store
from konkurs.temporal import TemporalTarget, connect, resolve_target

T = TypeVar("T")


def settings() -> Settings:
    return Settings.from_env()


def store() -> Konkurs:
    return open_store(settings())


async def client(target: TemporalTarget | None = None) -> Client:
    target = target or resolve_target()
    try:
        return await connect(target)
    except RuntimeError:
        how = (
            "start the embedded one with `konkurs server`"
            if target.embedded
            else "check TEMPORAL_ADDRESS / your envconfig profile"
        )
        raise KonkursError(f"cannot reach the Temporal server at {target.address}: {how}") from None


def with_client(work: Callable[[Client], Awaitable[T]]) -> T:
    async def main() -> T:
        return await work(await client())

    return asyncio.run(main())
