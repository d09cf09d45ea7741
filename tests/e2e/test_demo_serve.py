"""`konkurs demo --serve` as `make demo` runs it: after the demo, sandbox contests in collection,
judging and voting, the pages served, one credential per role printed, and Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import httpx
import pytest

from domain.phases import Phase
from konkurs.devserver import free_port
from konkurs.pages.sessions import in_russian
from services.konkurs import Konkurs

REPO = Path(__file__).resolve().parents[2]
SLUG = "smart-dialog-2023"
SANDBOXES = {f"{SLUG}-priem": (Phase.COLLECTING, "приём заявок"),
             f"{SLUG}-ocenka": (Phase.JUDGING, "экспертная оценка"),
             f"{SLUG}-golosovanie": (Phase.VOTING, "народное голосование")}
TOKEN = re.compile(r"konkurs_[0-9a-f]+_[A-Za-z0-9_-]+")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')

pytestmark = [pytest.mark.slow, pytest.mark.only_on(
    "sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")]


class Demo:
    """The `konkurs demo --serve` process, its output read as it comes."""

    def __init__(self, home: Path, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "KONKURS_"))}
        self.home = home
        self.process = subprocess.Popen(
            [sys.executable, "-m", "konkurs", "demo", "--serve", "--no-outputs", "--port", str(port),
             "--home", str(home), "--seed", "11"],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.output:
            assert self.process.poll() is None, f"the demo exited {self.process.returncode}:\n{self.output}"
            assert time.monotonic() < deadline, f"no {text!r} in {seconds}s:\n{self.output}"
            time.sleep(0.2)

    def children(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                status = (entry / "status").read_text()
            except (OSError, ValueError):
                continue
            if f"\nPPid:\t{self.process.pid}\n" in status:
                found.append(int(entry.name))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Demo, str]]:
    port = free_port()
    running = Demo(tmp_path / "demo", port)
    try:
        yield running, f"http://127.0.0.1:{port}"
    finally:
        running.stop()


def store_of(home: Path) -> Konkurs:
    return Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                        "SQLITE_DBNAME": str(home / "konkurs.db")})


def sign_in(client: httpx.Client, token: str) -> httpx.Response:
    csrf = CSRF.search(client.get("/signin").text)
    assert csrf, "the sign-in form carries no CSRF token"
    return client.post("/signin", data={"csrf": csrf.group(1), "token": token})


def test_the_demo_serves_the_pages_over_sandboxes_with_a_credential_per_role_until_ctrl_c(
    demo: tuple[Demo, str],
) -> None:
    running, base = demo
    running.wait_for(f"Pages at {base} — Ctrl-C stops the demo", seconds=150)
    store = store_of(running.home)
    try:
        phases = {slug: store.store.get_contest(slug).phase for slug in SANDBOXES}
        acting_as = {token: store.credentials.authenticate(token) for token in TOKEN.findall(running.output)}
    finally:
        store.close()
    assert phases == {slug: phase for slug, (phase, _) in SANDBOXES.items()}
    assert sorted(a.role.value for a in acting_as.values() if a.role) == [
        "applicant", "auditor", "expert", "federal-operator"]

    with httpx.Client(base_url=base, timeout=10) as visitor:
        front = visitor.get("/").text
    for slug, (_, phase_name) in SANDBOXES.items():
        row = re.search(rf"песочница: {phase_name}\)</th>\s*<td>([^<]+)</td>", front)
        assert row and row.group(1) == phase_name, f"{slug} is not listed in {phase_name}"

    for token, actor in acting_as.items():
        with httpx.Client(base_url=base, timeout=10) as person:
            signed_in = sign_in(person, token)
            assert signed_in.status_code == 303, signed_in.text
            assert f"Вы вошли как <strong>{in_russian(actor)}</strong>" in person.get("/").text
            if actor.kind == "expert":  # the API, not the pages, says the expert has cards to score
                assigned = person.get(f"/v1/contests/{SLUG}-ocenka/submissions",
                                      headers={"Authorization": f"Bearer {token}"})
                assert assigned.status_code == 200 and assigned.json(), assigned.text

    people = json.loads((running.home / "dev-people.json").read_text(encoding="utf-8"))
    assert sorted(p["claims"]["role"] for p in people) == [
        "applicant", "auditor", "citizen", "expert", "federal-operator"]
    citizen = next(p for p in people if p["claims"]["role"] == "citizen")
    with httpx.Client(base_url=base, timeout=10, follow_redirects=True) as person:
        chooser = person.get("/signin/oidc")  # on to the provider's page, as a browser goes
        assert urlparse(str(chooser.url)).path == "/dev-oidc/authorize"
        for preset in people:
            assert f">{preset['label']}</button>" in chooser.text
        flow = dict(parse_qsl(urlparse(str(chooser.url)).query))
        csrf = CSRF.search(chooser.text)
        assert csrf
        landed = person.post("/dev-oidc/authorize", data={**flow, **citizen["claims"], "csrf": csrf.group(1)})
        assert landed.status_code == 200
        assert "Вы вошли как <strong>гражданин " in landed.text  # the id itself is shown masked

    children = running.children()
    assert len(children) == 3, children  # the Temporal dev server, the worker, the pages
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(timeout=30) == 0, running.output
    left = [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert not left, f"still running after the demo stopped: {left}"
