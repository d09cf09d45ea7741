"""Long-running processes: the embedded Temporal server and the worker."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from typing import Annotated

import structlog
import typer

from domain.errors import KonkursError
from konkurs import devserver
from konkurs.bootstrap import bootstrap
from konkurs.cli import runtime
from konkurs.cli.output import say
from konkurs.temporal import EMBEDDED_ADDRESS, resolve_target

log = structlog.get_logger("konkurs.worker")


def register(app: typer.Typer) -> None:
    app.command("server")(server)
    app.command("worker")(worker)


def server(
    port: Annotated[int | None, typer.Option(
        min=1, max=65535, show_default="the port of TEMPORAL_ADDRESS, else 7233",
        help="Port to serve on; other commands reach it with TEMPORAL_ADDRESS=127.0.0.1:PORT.")] = None,
    ui_port: Annotated[int | None, typer.Option(
        min=1, max=65535, show_default="the server's port + 1000", help="Port of the web UI.")] = None,
) -> None:
    """Run the embedded Temporal dev server in the foreground, persisted in the Konkurs home.

    Its address is TEMPORAL_ADDRESS when that names this machine, else 127.0.0.1:7233; its web
    UI is on the port 1000 above. Two servers on one machine need two ports (and, to keep their
    stores apart, two homes: KONKURS_HOME). Stop it with Ctrl-C.
    """
    settings = runtime.settings()
    target = resolve_target()
    host, configured_port = devserver.split_address(target.address)
    if not target.embedded and not devserver.is_local(host):
        raise KonkursError(f"TEMPORAL_ADDRESS points at {target.address}, not this machine; the embedded "
                           "server runs on 127.0.0.1: unset it, or set it to 127.0.0.1:PORT")
    port = port or configured_port
    ui_port = ui_port or devserver.ui_port_of(port)
    address = f"{host}:{port}"
    busy = devserver.ports_in_use(host, port, ui_port)
    if busy:
        raise KonkursError(f"port {busy[0]} on {host} is in use (is a server running?): choose "
                           "another with --port (and --ui-port)")
    settings.ensure_home()
    db_path = settings.temporal_db_for(port, devserver.split_address(EMBEDDED_ADDRESS)[1])
    command = devserver.server_command(db_path, host, port, ui_port)
    say(f"Temporal dev server on {address}, UI http://{host}:{ui_port}, state in {db_path}")
    if address != target.address:
        say(f"Other commands reach it with TEMPORAL_ADDRESS={address}")
    process = subprocess.Popen(command)
    stopping: list[int] = []

    def stop(signum: int, _: object) -> None:  # a terminated `konkurs server` leaves no server behind
        stopping.append(signum)
        process.send_signal(signal.SIGINT)

    signal.signal(signal.SIGTERM, stop)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        return
    if code and not stopping:
        raise KonkursError(f"the Temporal dev server on {address} stopped with exit code {code}")


def worker(
    task_queue: str = typer.Option(None, help="Task queue to serve.",
                                   show_default="KONKURS_TASK_QUEUE, else 'konkurs'"),
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
