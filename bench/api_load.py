"""The processes of bench/api.py: servers on 127.0.0.1, wrk at saturation, the open-loop generator
at a fixed rate. Each runs in a process group of its own, which is ended, children and all, when
its step is over, whether the step finished, failed or was interrupted."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
WRK_SCRIPT = HERE / "api_wrk.lua"
OPEN_LOOP = HERE / "api_open_loop.py"
HOST = "127.0.0.1"  # every server and every load stays on loopback
WARM_UP_S = 2
STARTUP_S = 60.0
STOP_S = 15.0


@dataclass(frozen=True)
class Load:
    """What each request sends; `{n}` in the path and body becomes a name unique to the request."""

    path: str
    token: str
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Settings:
    seconds: float
    connections: int
    wrk_threads: int


@contextmanager
def spawned(command: list[str], env: dict[str, str], log: Path,
            capture: bool = False) -> Iterator[subprocess.Popen[bytes]]:
    """`command` in a new session, its stderr in `log` and its stdout too unless `capture`d (a
    pipe nobody reads would stall it); ended with its whole group on the way out."""
    with log.open("ab") as errors:
        process = subprocess.Popen(command, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE if capture else errors, stderr=errors)
    try:
        yield process
    finally:
        _end_group(process)


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the group (a server's workers shut down gracefully), SIGKILL to what outlives
    STOP_S. The group is the one `spawned` made: its id is the leader's pid, and it is only
    signalled while some member is alive."""
    deadline = time.monotonic() + STOP_S
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            break
        while time.monotonic() < deadline and _group_alive(process):
            time.sleep(0.05)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=STOP_S)
    if process.stdout is not None:
        process.stdout.close()


def _group_alive(process: subprocess.Popen[bytes]) -> bool:
    process.poll()  # reap the leader, so that a finished group reads as gone
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextmanager
def serving(command: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    """A server, once it answers HTTP on `port`."""
    with spawned(command, env, log) as process:
        deadline = time.monotonic() + STARTUP_S
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start: {_tail(log)}")
            time.sleep(0.1)
        yield


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", "/")
        connection.getresponse().read()
    except OSError:
        return False
    finally:
        connection.close()
    return True


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


def finished(command: list[str], env: dict[str, str], log: Path, timeout: float) -> str:
    """The stdout of `command`, which must exit 0 within `timeout` seconds."""
    with spawned(command, env, log, capture=True) as process:
        output, _ = process.communicate(timeout=timeout)
        if process.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({process.returncode}): {output.decode()[-2000:]}"
                               f"{_tail(log)}")
    return output.decode()


def wrk(port: int, load: Load, settings: Settings, seconds: float, run: str, log: Path) -> dict[str, float]:
    """Closed loop: `settings.connections` connections, each sending its next request as soon as
    the last is answered. Gives the answers per second by kind and wrk's latencies in ms."""
    env = os.environ | {"BENCH_PATH": load.path, "BENCH_TOKEN": load.token, "BENCH_BODY": load.body.decode(),
                        "BENCH_RUN": run}
    command = ["wrk", "-t", str(settings.wrk_threads), "-c", str(settings.connections),
               "-d", f"{seconds:g}s", "--timeout", "10s", "-s", str(WRK_SCRIPT), f"http://{HOST}:{port}"]
    output = finished(command, env, log, timeout=seconds + 60)
    totals = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH "))[6:])
    duration = totals["duration_us"] / 1e6
    return {
        "requests_per_s": totals["requests"] / duration,
        "accepted_per_s": totals["accepted"] / duration,
        "accepted": totals["accepted"],
        "refused": totals["refused"],
        "failed": totals["non_200"] + totals["socket_errors"],
        "p50_ms": totals["p50_us"] / 1000,
        "p99_ms": totals["p99_us"] / 1000,
    }


def open_loop(port: int, steps: list[Load], rate: float, seconds: float, run: str,
              log: Path) -> dict[str, float]:
    """Requests on a fixed schedule of `rate` a second from a process of their own; each is the
    sequence `steps`, sent with the first step's token."""
    command = [sys.executable, str(OPEN_LOOP), "--port", str(port), "--rate", str(rate),
               "--seconds", str(seconds), "--run", run]
    for number, step in enumerate(steps):
        body_file = log.with_name(f"{run}-{number}.body")
        body_file.write_bytes(step.body)
        command += ["--step", step.path, str(body_file), step.content_type]
    figures: dict[str, float] = json.loads(
        finished(command, os.environ | {"BENCH_TOKEN": steps[0].token}, log, timeout=seconds + 120))
    return figures
