"""The HTTP API: an ASGI app whose every endpoint is a thin adapter over a service call made
with the caller's actor. `konkurs api` serves it with uvicorn."""

from konkurs.api.app import create_app

__all__ = ["create_app"]
