"""What the CLI needs at run time: settings, the store, and a Temporal client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TypeVar

from temporalio.client import Client

from domain.errors import InputFileError, KonkursError
from domain.konkurs import Konkurs
from domain.spec import ContestSpec
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


def parse_moment(text: str, spec: ContestSpec, option: str) -> datetime:
    """An operator's moment: a bare date is the end of that day, a time without an offset is
    read in the contest's timezone."""
    try:
        if "T" in text or " " in text.strip():
            return spec.local_moment(datetime.fromisoformat(text), end_of_day=True)
        return spec.local_moment(date.fromisoformat(text), end_of_day=True)
    except ValueError:
        raise InputFileError(f"{option} {text!r} is neither a date (2023-06-30) nor an ISO time "
                             "(2023-06-30T18:00, offset optional)") from None
