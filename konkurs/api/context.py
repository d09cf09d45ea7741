"""What every route depends on: the process's bootstrap, the caller's actor, the views."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from domain.actors import Actor
from domain.errors import Unauthenticated
from konkurs.api.group_commit import GroupCommit
from konkurs.bootstrap import Bootstrap
from projections import ViewsDB, catch_up, default_views
from projections.runner import ScanMarks
from services.konkurs import Konkurs


@dataclass
class Api:
    boot: Bootstrap
    group: GroupCommit
    _views_lock: threading.Lock = field(default_factory=threading.Lock)
    _scanned: ScanMarks = field(default_factory=ScanMarks)

    @cached_property
    def voter_key(self) -> bytes:
        return self.boot.settings.voter_key()

    @property
    def services(self) -> Konkurs:
        return self.boot.services

    def views(self) -> ViewsDB:
        """The views, caught up with the log before anyone reads them; one catch-up at a time."""
        database = ViewsDB(self.boot.settings.views_path)
        with self._views_lock:
            catch_up(self.services.store, database, default_views(), marks=self._scanned)
        return database


# `api` and `credential` do no I/O: async, they run on the event loop, not in a worker thread.
async def api(request: Request) -> Api:
    found: Api = request.app.state.api
    return found


bearer = HTTPBearer(auto_error=False, description="A Konkurs token (`konkurs tokens issue`) or an "
                                                  "OpenID Connect JWT from the configured provider")


@dataclass(frozen=True)
class Credential:
    """A bearer credential as the request brought it, checked only when asked who it is: a read
    that anyone may make ignores it, and one that depends on the state asks."""

    context: Api
    bearer: str | None

    def actor(self) -> Actor:
        if self.bearer is None:
            raise Unauthenticated("this request needs a bearer credential: Authorization: Bearer <token>")
        return self.context.services.credentials.authenticate(self.bearer)


async def credential(
    context: Annotated[Api, Depends(api)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Credential:
    return Credential(context, None if credentials is None else credentials.credentials)


def caller(presented: Annotated[Credential, Depends(credential)]) -> Actor:
    return presented.actor()


Context = Annotated[Api, Depends(api)]
Caller = Annotated[Actor, Depends(caller)]
Presented = Annotated[Credential, Depends(credential)]
