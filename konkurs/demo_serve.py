"""`konkurs demo --serve`: once the demo's contest is done, its engine keeps running with sandbox
contests, the pages are served, and each role gets a credential to try them by hand."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from domain.actors import LOCAL_OPERATOR, Role, Scope
from domain.commands.credentials import IssueToken
from domain.errors import KonkursError
from domain.phases import Phase
from domain.spec import ContestSpec
from konkurs import demo_sandbox
from konkurs.demo_sandbox import Sandbox
from konkurs.demo_steps import Engine, Say
from konkurs.devserver import is_listening
from konkurs.pages.dev_provider import PEOPLE_FILE
from services.konkurs import Konkurs

HOST = "127.0.0.1"
# An applicant organisation of Zabaikalsky krai (75); the sandboxes keep no registry, so any
# well-formed INN of an admitted kind may file.
APPLICANT_INN = "7536012345"
CITIZEN_REGION = "75"


@dataclass(frozen=True)
class Person:
    """One role to try: who, where to go, how to sign in, and the development provider's button
    that signs in as them (its label and the claims its form sends)."""

    role: str  # in Russian and English
    who: str
    try_at: str
    credential: str
    button: str
    claims: dict[str, str] = field(default_factory=dict)


Show = Callable[[str, list[Person]], None]


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds it
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


async def serve(engine: Engine, demo: ContestSpec, seed: int, port: int, say: Say, show: Show) -> None:
    """Set up the sandboxes, invite one person per role, and serve the pages until SIGINT or
    SIGTERM; the caller then stops the worker and the dev server."""
    sandboxes = await demo_sandbox.set_up(engine, demo, seed, say)
    people = invite(engine.konkurs, demo, sandboxes)
    write_presets(engine.settings.home, people)
    address = f"http://{HOST}:{port}"
    with PagesServer(engine.env, port, engine.settings.home / "pages.log") as server:
        show(address, people)
        say(f"Pages at {address} — Ctrl-C stops the demo")
        await server.until_stopped()
    say("Stopped the pages; stopping the worker and the Temporal dev server …")


def invite(konkurs: Konkurs, demo: ContestSpec, sandboxes: list[Sandbox]) -> list[Person]:
    """A federal operator and an auditor over every contest, an expert of the judging sandbox, an
    applicant of the collecting one, and a citizen of the voting one (through the provider)."""
    holder = TokenHolder(konkurs)
    in_phase = {s.phase: s for s in sandboxes}
    collecting, judging, voting = (in_phase.get(p) for p in (Phase.COLLECTING, Phase.JUDGING, Phase.VOTING))
    board = collecting.slug if collecting else demo.slug
    people = [holder.invite("Федеральный оператор / federal operator", Role.FEDERAL_OPERATOR, "demo-operator",
                            Scope(), f"/contests/{board}/board", "Федеральный оператор (все конкурсы)")]
    if judging is not None and judging.busiest_expert is not None:
        people.append(holder.invite("Эксперт / expert", Role.EXPERT, judging.busiest_expert,
                                    Scope(contests=(judging.slug,)), f"/expert/{judging.slug}",
                                    f"Эксперт {judging.busiest_expert} (оценка)"))
    if collecting is not None:
        people.append(holder.invite("Заявитель / applicant", Role.APPLICANT, f"applicant-{APPLICANT_INN}",
                                    Scope(contests=(collecting.slug,), inn=APPLICANT_INN),
                                    f"/contests/{collecting.slug}/apply",
                                    f"Заявитель, ИНН {APPLICANT_INN} (приём заявок)"))
    people.append(holder.invite("Аудитор / auditor", Role.AUDITOR, "demo-auditor", Scope(),
                                f"/contests/{demo.slug}/board", "Аудитор (все конкурсы)"))
    if voting is not None:
        subject = f"esia-{CITIZEN_REGION}-0000001"
        people.append(Person(
            "Гражданин / citizen", f"{subject}, region {CITIZEN_REGION}", f"/contests/{voting.slug}/vote",
            f"no token: sign in through the test provider with any id and region {CITIZEN_REGION}",
            "Гражданин, Забайкальский край (голосование)",
            {"role": "citizen", "subject": subject, "region": CITIZEN_REGION}))
    return people


@dataclass(frozen=True)
class TokenHolder:
    konkurs: Konkurs

    def invite(self, role_name: str, role: Role, id: str, scope: Scope, try_at: str, button: str) -> Person:
        issued = self.konkurs.credentials.issue(IssueToken(role=role, id=id, scope=scope,
                                                           label="demo --serve", actor=LOCAL_OPERATOR))
        claims = {"role": role.value, "subject": id}
        if scope.contests:
            claims["contests"] = " ".join(scope.contests)
        if scope.inn:
            claims["inn"] = scope.inn
        return Person(role_name, issued.acts_as.describe(), try_at, issued.token, button, claims)


def write_presets(home: Path, people: list[Person]) -> Path:
    """The development provider's ready-made people, one per role."""
    presets = [{"label": person.button, "claims": person.claims} for person in people]
    path = home / PEOPLE_FILE
    path.write_text(json.dumps(presets, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


class PagesServer:
    """`konkurs api` in a child process with the demo's environment: the API and the pages."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.env = env
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PagesServer:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "konkurs", "api", "--host", HOST, "--port", str(self.port)],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        for _ in range(300):
            if is_listening(f"{HOST}:{self.port}", timeout=0.2):
                return self
            if self.process.poll() is not None:
                raise KonkursError(f"the pages server exited at start; see {self.log_path}")
            time.sleep(0.1)
        self.stop()
        raise KonkursError(f"the pages server did not start in 30s; see {self.log_path}")

    def __exit__(self, *_: object) -> None:
        self.stop()

    async def until_stopped(self) -> None:
        """Until SIGINT or SIGTERM reaches this process, or the server process ends by itself."""
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopped.set)
        try:
            while not stopped.is_set():
                if self.process is None or self.process.poll() is not None:
                    raise KonkursError(f"the pages server exited; see {self.log_path}")
                try:
                    await asyncio.wait_for(stopped.wait(), timeout=1)
                except TimeoutError:
                    pass
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
