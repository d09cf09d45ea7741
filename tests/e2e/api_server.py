"""`konkurs api` as a deployment runs it: server processes on loopback ports over one home's store,
and portals' clients that cast ballots through them, retrying until they hear an answer."""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from konkurs.devserver import free_port

REPO = Path(__file__).resolve().parents[2]
RETRY_PAUSE = 0.05
# One for every client: loading the CA bundle costs each new client ~20 ms of CPU. Only plain
# HTTP to loopback is sent.
TLS = ssl.create_default_context()


class ApiServer:
    """One `konkurs api` process in a session of its own, so that a signal reaches uvicorn's
    workers too; `restart` after `kill` serves the same port and store."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._wait_until_serving(self._spawn())

    async def restart(self) -> None:
        """Start again while the clients go on retrying; the process is ours before the wait."""
        await asyncio.to_thread(self._wait_until_serving, self._spawn())

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a pulled plug would: no shutdown, nothing flushed."""
        process, self._process = self._process, None
        if process is not None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def freeze(self) -> None:
        self._signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self._signal(signal.SIGCONT)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _signal(self, signum: int) -> None:
        assert self._process is not None, "the server is not running"
        os.killpg(self._process.pid, signum)

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "konkurs", "api", "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=REPO, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True)
        return self._process

    def _wait_until_serving(self, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while process.poll() is None:
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"konkurs api did not serve {self.url} within {seconds} s:\n"
                                     f"{self.log_tail()}")
            time.sleep(RETRY_PAUSE)
        raise AssertionError(f"konkurs api exited with {process.returncode}:\n{self.log_tail()}")


@dataclass(frozen=True)
class Ballot:
    """One citizen's click as a portal sends it: the Idempotency-Key names this request."""

    voter: str
    submission: str
    key: str
    nomination: str = "HC-1"
    region: str = "75"

    def body(self) -> dict[str, str]:
        return {"voter": self.voter, "nomination": self.nomination, "submission": self.submission,
                "region": self.region}


@dataclass(frozen=True)
class Answer:
    ballot: Ballot
    server: str
    status: str
    reason: str | None
    batch: str
    repeated: bool

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"


class PortalClient:
    """One of a portal's HTTP clients, with a connection of its own. It sends each ballot until an
    answer comes back, the same request each time, as a portal must when it cannot tell whether
    its first try was recorded."""

    def __init__(self, token: str, slug: str) -> None:
        self.slug = slug
        self.http = httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=10, verify=TLS)

    async def __aenter__(self) -> PortalClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.http.aclose()

    async def cast(self, server: str, ballot: Ballot) -> Answer:
        url = f"{server}/v1/contests/{self.slug}/ballots"
        while True:
            try:
                response = await self.http.post(url, json=ballot.body(),
                                                headers={"Idempotency-Key": ballot.key})
            except httpx.TransportError:  # refused, reset or timed out: the server may be down
                await asyncio.sleep(RETRY_PAUSE)
                continue
            if response.status_code >= 500:
                await asyncio.sleep(RETRY_PAUSE)
                continue
            assert response.status_code == 200, f"{server}: {response.status_code} {response.text}"
            found = response.json()
            return Answer(ballot, server, found["status"], found["reason"], found["batch"], found["repeated"])


class Heard:
    """The answers the clients have heard so far; `next` wakes at the next one."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self._news = asyncio.Event()

    def add(self, answer: Answer) -> None:
        self.answers.append(answer)
        self._news.set()

    async def next(self) -> None:
        self._news.clear()
        await self._news.wait()

    async def at_least(self, count: int) -> None:
        while len(self.answers) < count:
            await self.next()

    def accepted(self) -> int:
        return sum(answer.accepted for answer in self.answers)
