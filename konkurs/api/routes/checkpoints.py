"""The signed chain heads, for anyone who keeps a copy outside the deployment: a ministry's site,
a regional auditor, a newspaper. Each head checks with the public key it names alone; compare that
key with the one published (`konkurs audit key`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from domain.rules.checkpoints import SignedHead
from konkurs.api.context import Context

router = APIRouter(tags=["checkpoints"])


@router.get("/checkpoints", summary="The signed chain heads, oldest first (anyone may read them)",
            response_description="Every head in the deployment's checkpoint file, in the order it was "
                                 "appended: `konkurs audit verify --checkpoints URL` checks the log "
                                 "against them")
def checkpoints(
    context: Context,
    after: Annotated[int, Query(ge=0, le=2**62, description="Only heads at positions after this one")] = 0,
) -> list[SignedHead]:
    return context.services.checkpoints.heads(after)
