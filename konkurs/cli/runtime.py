"""What the CLI needs at run time, from the process's one bootstrap: settings, the services
over the store, a Temporal client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TypeVar

from temporalio.client import Client

from domain.errors import InputFileError
from domain.spec import ContestSpec
from konkurs.bootstrap import bootstrap
from konkurs.settings import Settings
from services.konkurs import Konkurs

T = TypeVar("T")


def settings() -> Settings:
    return bootstrap().settings


def services() -> Konkurs:
    return bootstrap().services


async def client() -> Client:
    return await bootstrap().client()


def with_client(work: Callable[[Client], Awaitable[T]]) -> T:
    async def main() -> T:
        return await work(await bootstrap().client())

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
