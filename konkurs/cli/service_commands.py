"""Long-running processes: the embedded Temporal server and the worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess

import structlog
import typer

from domain.errors import KonkursError
from konkurs import devserver
from konkurs.bootstrap import bootstrap
from konkurs.cli import runtime
from konkurs.cli.output import say
from konkurs.temporal import resolve_target

log = structlog.get_logger("konkurs.worker")


def register(app: typer.Typer) -> None:
    app.command("server")(server)
    app.command("worker")(worker)


def server() -> None:
    """Run the embedded Temporal dev server in the foreground, persisted in the Konkurs home.

    Its address is 127.0.0.1:7233 and its web UI http://127.0.0.1:8233. Stop it with Ctrl-C.
    """
    settings = runtime.settings()
    target = resolve_target()
    if not target.embedded:
        raise KonkursError(
            f"TEMPORAL_ADDRESS points at {target.address}; the embedded server is not used"
        )
    if devserver.is_listening(target.address):
        raise KonkursError(f"something already listens on {target.address}; is a server running?")
    settings.ensure_home()
    host, port = devserver.split_address(target.address)
    command = devserver.server_command(settings.temporal_db_path, host, port)
    say(f"Temporal dev server on {target.address}, UI http://{host}:{port + 1000}, "
        f"state in {settings.temporal_db_path}")
    process = subprocess.Popen(command)
    try:
        process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)


def worker(
    task_queue: str = typer.Option(None, help="Task queue to serve [default: KONKURS_TASK_QUEUE "
                                   "or 'konkurs']."),
) -> None:
    """Run a worker: it executes contest workflows and their activities until stopped.

    Beside them it appends a signed chain head to the checkpoint file at every seal and every
    KONKURS_CHECKPOINT_EVERY seconds (default 600) while the log grows (docs/audit.md)."""
    asyncio.run(_serve(task_queue or runtime.settings().task_queue))


async def _serve(task_queue: str) -> None:
    wiring = bootstrap()
    client = await wiring.client()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with wiring.checkpointing(), wiring.worker(client, task_queue):
        log.info("worker_started", task_queue=task_queue, pid=os.getpid())
        say(f"Worker {os.getpid()} serving task queue {task_queue!r} "
            f"(store: {runtime.settings().persistence_module}); Ctrl-C to stop.")
        await stop.wait()
        log.info("worker_stopping")
    wiring.close()
