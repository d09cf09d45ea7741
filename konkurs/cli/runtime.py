"""What the CLI needs at run time, from the process's one bootstrap: settings, the services
over the store, a Temporal client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from temporalio.client import Client

from domain.actors import LOCAL_OPERATOR, Actor
from domain.errors import InputFileError, Unauthenticated
from domain.russian_dates import ACCEPTED_FORMS, parse_day_or_moment
from domain.spec import ContestSpec
from konkurs.bootstrap import bootstrap
from konkurs.operations import Signer
from konkurs.settings import Settings
from services.konkurs import Konkurs

T = TypeVar("T")


def settings() -> Settings:
    return bootstrap().settings


def services() -> Konkurs:
    return bootstrap().services


def actor() -> Actor:
    """Who this command acts as: the bearer credential of KONKURS_TOKEN or of the profile
    KONKURS_PROFILE names; with neither, the local operator of the embedded default, and in
    production mode nobody."""
    credential = settings().credential()
    if credential is not None:
        return services().credentials.authenticate(credential)
    if settings().production:
        raise Unauthenticated("production mode needs a credential: set KONKURS_TOKEN, or "
                              "KONKURS_PROFILE to a profile saved by `konkurs tokens issue --profile`")
    return LOCAL_OPERATOR


def signer() -> Signer:
    """This command's actor, vouching for itself to the worker."""
    return Signer(services().senders, actor())


async def client() -> Client:
    return await bootstrap().client()


def with_client(work: Callable[[Client], Awaitable[T]]) -> T:
    async def main() -> T:
        return await work(await bootstrap().client())

    return asyncio.run(main())


def parse_moment(text: str, spec: ContestSpec, option: str) -> datetime:
    """An operator's moment: a bare date (`30.06.2023` or `2023-06-30`) is the end of that day,
    a time without an offset is read in the contest's timezone."""
    try:
        return spec.local_moment(parse_day_or_moment(text), end_of_day=True)
    except ValueError:
        raise InputFileError(f"{option} {text!r} is not a date or time; write {ACCEPTED_FORMS}") from None
