"""A cap on request bodies, checked before the framework reads them: a declared length over the
cap is refused at once, and a body that grows past it while streaming is cut off."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from konkurs.api.problems import PROBLEM_JSON, problem_body

JSON_BODY_LIMIT = 1024 * 1024


class BodyLimit:
    """`limit_for(path)` gives each path's cap: JSON bodies get `JSON_BODY_LIMIT`, uploads the
    largest file any spec allows."""

    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit, scope["path"])
            return
        seen = 0

        async def counted() -> Message:
            # Raised inside the app, so the framework answers it as problem details; its body
            # parser passes an HTTPException through rather than calling it a parse error.
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, over_the_limit(limit))
            return message

        await self.app(scope, counted, send)


def over_the_limit(limit: int) -> str:
    return f"the request body is over the limit of {limit:,} bytes"


async def _refuse(send: Send, limit: int, path: str) -> None:
    body = problem_body(413, over_the_limit(limit), path)
    content = body.model_dump_json(exclude_none=True).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", PROBLEM_JSON.encode()),
                            (b"content-length", str(len(content)).encode())]})
    await send({"type": "http.response.body", "body": content})
