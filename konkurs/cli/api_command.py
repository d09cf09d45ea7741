"""`konkurs api`: the HTTP API, served by uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from konkurs.cli import runtime
from konkurs.cli.output import say


def register(app: typer.Typer) -> None:
    app.command("api")(api)


def api(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes sharing the port.")] = 1,
    group_commit: Annotated[bool, typer.Option(
        help="Commit concurrent single ballots together; --no-group-commit gives each its own "
             "transaction.")] = True,
) -> None:
    """Serve the HTTP API: interactive docs at /docs, the OpenAPI 3.1 contract at /openapi.json,
    the endpoints under /v1. Callers authenticate with a bearer token (`konkurs tokens issue`).
    Contest actions need `konkurs worker` running; reads and intake do not."""
    import uvicorn

    from konkurs.api.server import GROUP_COMMIT

    runtime.settings().ensure_home()
    os.environ[GROUP_COMMIT] = "1" if group_commit else "0"
    say(f"Konkurs API on http://{host}:{port} (docs http://{host}:{port}/docs), "
        f"{workers} process{'es' if workers > 1 else ''}, store {runtime.settings().persistence_module}")
    uvicorn.run("konkurs.api.server:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False, proxy_headers=False)
