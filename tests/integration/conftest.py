"""A real Temporal dev server and real worker processes, on loopback, for the whole session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from konkurs.devserver import EmbeddedServer, free_port
from konkurs.supervisor import WorkerProcess
from tests.stores import Stores

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    address = f"127.0.0.1:{free_port()}"
    state = tmp_path_factory.mktemp("temporal")
    with EmbeddedServer(state / "temporal.db", address):
        yield address


@dataclass
class Operator:
    """Runs the `konkurs` CLI as a user would, against one home and one server."""

    env: dict[str, str]
    home: Path

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "konkurs", *args], env=self.env, cwd=REPO,
            capture_output=True, text=True, timeout=300,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"konkurs {' '.join(args)} exited {done.returncode}: {done.stderr}")
        return done


@pytest.fixture
def operator(dev_server: str, tmp_path: Path, stores: Stores) -> Operator:
    home = tmp_path / "home"
    env = {**os.environ, "KONKURS_HOME": str(home), "TEMPORAL_ADDRESS": dev_server, "COLUMNS": "160",
           **stores.env(home / "konkurs.db")}
    env.pop("TEMPORAL_PROFILE", None)
    return Operator(env=env, home=tmp_path / "home")


@pytest.fixture
def worker(operator: Operator) -> Iterator[WorkerProcess]:
    operator.home.mkdir(parents=True, exist_ok=True)
    process = WorkerProcess(operator.env, operator.home / "worker.log")
    process.start()
    yield process
    process.stop()
