"""Two embedded servers on one machine, and commands that find no worker: they wait a bounded
time (KONKURS_WORKER_WAIT) and then say, in one line, what state they leave things in."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from konkurs.devserver import EmbeddedServer, free_port, is_listening
from konkurs.supervisor import WorkerProcess
from tests.e2e.conftest import REPO, SLUG, Cli, wait_for_worker

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.e2e.conftest import Contests, Files, Store


def recorded(store: Store) -> bool:
    with store.open() as app:
        return SLUG in app.store.contest_slugs()


def run_server(cli: Cli, home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**cli.env, "KONKURS_HOME": str(home)}
    env.pop("TEMPORAL_ADDRESS")
    return subprocess.Popen([sys.executable, "-m", "konkurs", "server", "--port", str(port)], cwd=REPO,
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


@pytest.fixture
def two_servers(cli: Cli, tmp_path: Path) -> Iterator[tuple[int, int]]:
    ports = (free_port(), free_port())
    servers = [run_server(cli, tmp_path / f"home-{n}", port) for n, port in enumerate(ports)]
    try:
        deadline = time.monotonic() + 60
        while not all(is_listening(f"127.0.0.1:{port}") for port in ports):
            assert all(s.poll() is None for s in servers), "a server exited at start"
            assert time.monotonic() < deadline, "the servers did not start"
            time.sleep(0.2)
        yield ports
    finally:
        for server in servers:
            server.terminate()  # `konkurs server` stops its dev server on SIGTERM
        for server in servers:
            server.wait(timeout=30)


@pytest.mark.slow
def test_two_servers_run_side_by_side_and_commands_reach_the_one_temporal_address_names(
    cli: Cli, files: Files, contests: Contests, tmp_path: Path, two_servers: tuple[int, int]
) -> None:
    first, second = two_servers
    assert (tmp_path / "home-0" / f"temporal-{first}.db").exists()
    cli.env.pop("TEMPORAL_ADDRESS")
    cli("server", "--port", str(first)).assert_rejected(f"port {first} on 127.0.0.1 is in use")
    spec = files.text("good.yaml", contests.spec_yaml)
    cli.env.update(TEMPORAL_ADDRESS=f"127.0.0.1:{second}", KONKURS_WORKER_WAIT="0.5")
    # It reached the second server, which has no worker: not "cannot reach".
    cli("announce", spec).assert_rejected("no worker is serving task queue 'konkurs'")
    cli.env["TEMPORAL_ADDRESS"] = f"127.0.0.1:{free_port()}"
    cli("announce", spec).assert_rejected("cannot reach the Temporal server")
    for port in two_servers:
        assert is_listening(f"127.0.0.1:{port}")


@pytest.mark.slow
def test_without_a_worker_announce_and_close_wait_a_bounded_time_and_say_what_state_they_leave(
    cli: Cli, home: Path, files: Files, store: Store, contests: Contests
) -> None:
    address = f"127.0.0.1:{free_port()}"
    cli.env.update(TEMPORAL_ADDRESS=address, KONKURS_WORKER_WAIT="1")
    spec = files.text("good.yaml", contests.spec_yaml)
    with EmbeddedServer(home / "temporal.db", address):
        before = store.head()
        started = time.monotonic()
        cli("announce", spec).assert_rejected(
            "no worker is serving task queue 'konkurs' (waited 1s): start one with `konkurs worker`",
            "nothing was sent")
        assert time.monotonic() - started < 30
        assert store.head() == before

        worker = WorkerProcess(cli.env, home / "worker.log")
        worker.start()
        try:
            asyncio.run(wait_for_worker(address, worker))
            worker.kill_hard()  # the server still lists it as polling for a while
            cli("announce", spec).assert_rejected(
                f"contest {SLUG} is not announced yet: no worker recorded it within 1s",
                "queued and will be recorded when a worker starts", "konkurs worker")
            assert not recorded(store)

            worker.ensure_running()
            deadline = time.monotonic() + 60
            while not recorded(store):  # as the refusal said: the queued announcement is recorded
                assert time.monotonic() < deadline, "the queued announcement was never recorded"
                time.sleep(0.2)

            worker.kill_hard()
            cli("close", SLUG, "--phase", "announced").assert_rejected(
                f"no worker answered close_phase of contest {SLUG} within 1s",
                "may still be carried out when a worker starts", f"konkurs status {SLUG}")
        finally:
            worker.stop()
