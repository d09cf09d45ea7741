"""A real Temporal dev server and real worker processes, on loopback, for the whole session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.actors import Role, Scope
from domain.commands.credentials import IssueToken
from konkurs import intake_files
from konkurs.devserver import EmbeddedServer, free_port
from konkurs.supervisor import WorkerProcess
from tests.factories import OPERATOR, record_cards
from tests.stores import Stores, services_of_home

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

    def experts_score(self, slug: str, cards_csv: Path) -> int:
        """The panel records its cards, each expert their own: the first expert imports theirs
        with `konkurs import reviews` and a token the operator issued them, the others through
        the services, as their own tools would. Returns how many cards were recorded."""
        app = services_of_home(self.env, Path(self.env["KONKURS_HOME"]))
        try:
            criteria = app.store.get_contest(slug).spec.judging.criteria
            forms = intake_files.review_forms(cards_csv, criteria)
            first = forms[0][1].expert
            token = app.credentials.issue(IssueToken(
                role=Role.EXPERT, id=first, scope=Scope(contests=(slug,)), actor=OPERATOR)).token
            own = cards_csv.with_name(f"{cards_csv.stem}-{first}.csv")
            rows = [line for line in cards_csv.read_text(encoding="utf-8-sig").splitlines(keepends=True)]
            own.write_text(rows[0] + "".join(row for row in rows[1:] if row.split(";")[1] == first),
                           encoding="utf-8-sig")
            expert = Operator({**self.env, "KONKURS_TOKEN": token}, self.home)
            expert.run("import", "reviews", slug, str(own))
            others = record_cards(app, slug, [(w, f) for w, f in forms if f.expert != first])
        finally:
            app.close()
        return sum(1 for _, form in forms if form.expert == first) + others.recorded


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
