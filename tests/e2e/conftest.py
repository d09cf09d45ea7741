"""The CLI as an operator runs it: a fresh home, operators' files, and contests set up in the store.

Intake commands write straight to the store, so a contest is brought to the phase a test needs
by driving the domain directly; only `announce` needs Temporal.
"""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.actors import Actor
from domain.aggregates import Ballot, Expert, ExpertProfile, Review, Submission
from domain.commands.contest import Announce
from domain.commands.credentials import IssueToken
from domain.commands.intake import ReviewForm, SubmissionForm, Submit
from domain.commands.judging import EnrollExperts
from domain.commands.order import ContestOrder
from domain.errors import KonkursError
from domain.phases import Phase
from domain.spec import ContestSpec
from konkurs import operations
from konkurs.devserver import EmbeddedServer, free_port
from konkurs.spec_files import parse_spec
from konkurs.supervisor import WorkerProcess
from konkurs.temporal import TemporalTarget, connect
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR, close_phase, expert_actor, record_cards
from tests.stores import Stores, services_of_home

REPO = Path(__file__).resolve().parents[2]
SLUG = "zdorovye-2030"
REVIEW_HEADER = ("submission", "expert", "impact", "replicable")

SPEC_YAML = f"""\
slug: {SLUG}
title: Лучшие практики здравоохранения 2030
organisers: [АСИ]
level: federal
directions:
  - code: health
    title: Здравоохранение
    nominations:
      - code: HC-1
        title: Запись к врачу
      - code: HC-2
        title: Лекарственное обеспечение
schedule:
  announced: 2030-01-10
  collection_closes: 2030-03-01
  screening_closes: 2030-03-15
  judging_closes: 2030-04-30
  voting_closes: 2030-05-31
  results_published: 2030-06-15
eligibility:
  applicant_kinds: [state_institution, ngo]
judging:
  criteria:
    - code: impact
      title: Результат
      weight: 2
    - code: replicable
      title: Тиражируемость
      weight: 1
      scale: {{min: 1, max: 5}}
voting:
  enabled: true
  shortlist_size: 2
places_per_nomination: 2
"""

# Admitted by screening in `contests.judging()` / `contests.voting()`.
ENTRIES = (
    ("ZDR-001", "HC-1", "Запись к врачу через Госуслуги", "ГБУЗ «Краевая больница»", "state_institution",
     "75"),
    ("ZDR-002", "HC-1", "Электронная очередь в поликлиниках", "АНО «Здоровье»", "ngo", "23"),
    ("ZDR-003", "HC-2", "Лекарства на дом для маломобильных", "ГБУЗ «Аптека края»", "state_institution",
     "52"),
    ("ZDR-004", "HC-2", "Льготные рецепты онлайн", "НКО «Забота»", "ngo", "75"),
)

# Enrolled through the domain by `contests.judging()`: federal experts of the health direction with
# no tie to any applicant, so the assignment depends only on the seed and the load.
PANEL = tuple(
    (f"panel row {k}", ExpertProfile(
        id=f"эксперт-{k}", name=f"Эксперт {k}", organisation=f"Экспертный совет № {k}",
        region="77", level="federal", directions=["health"]))
    for k in range(1, 7)
)


@dataclass(frozen=True)
class Run:
    """One finished CLI process."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def assert_ok(self) -> None:
        assert self.code == 0, f"konkurs {' '.join(self.args)} failed:\n{self.stderr}"
        assert "Traceback" not in self.stdout + self.stderr
        assert self.error_lines == [], self.stderr

    def assert_rejected(self, *fragments: str) -> str:
        """Non-zero exit, no traceback, and exactly one error line naming every fragment."""
        assert "Traceback" not in self.stdout + self.stderr, self.stderr
        assert self.code != 0, f"konkurs {' '.join(self.args)} accepted it:\n{self.stdout}"
        lines = self.error_lines
        assert len(lines) == 1, f"expected one error line, got {len(lines)}:\n{self.stderr}"
        line = lines[0].strip()
        for fragment in fragments:
            assert fragment in line, f"{fragment!r} not in the error: {line}"
        return line


class Cli:
    """Runs `python -m konkurs ...` as a subprocess, the way an operator's shell would."""

    def __init__(self, home: Path, store_env: dict[str, str]) -> None:
        self.home = home
        self.store_env = store_env
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TEMPORAL_", "KONKURS_")) and k not in {"FORCE_COLOR", "COLUMNS"}}
        # Nothing listens there: a command that should stop before Temporal cannot reach one.
        env.update(KONKURS_HOME=str(home), TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}", **store_env)
        self.env = env

    def acting_as(self, actor: Actor) -> Cli:
        """The same shell, with a token the federal operator issued to `actor` in KONKURS_TOKEN."""
        app = Konkurs(env=self.store_env)
        try:
            assert actor.role is not None
            token = app.credentials.issue(IssueToken(
                role=actor.role, id=actor.id, scope=actor.scope, actor=OPERATOR)).token
        finally:
            app.close()
        shell = Cli(self.home, self.store_env)
        shell.env = {**self.env, "KONKURS_TOKEN": token}
        return shell

    def as_expert(self, expert: str, slug: str = SLUG) -> Cli:
        return self.acting_as(expert_actor(slug, expert))

    def import_cards(self, files: Files, rows: Sequence[Sequence[object]], slug: str = SLUG) -> None:
        """Each expert imports their own cards (rows of submission;expert;scores…), as they would."""
        by_expert: dict[str, list[Sequence[object]]] = {}
        for row in rows:
            by_expert.setdefault(str(row[1]), []).append(row)
        for expert, cards in by_expert.items():
            path = files.csv(f"оценки-{expert}.csv", REVIEW_HEADER, cards)
            self.as_expert(expert, slug)("import", "reviews", slug, path).assert_ok()

    def __call__(self, *args: str | Path, timeout: float = 120) -> Run:
        argv = tuple(str(a) for a in args)
        done = subprocess.run(
            [sys.executable, "-m", "konkurs", *argv], cwd=REPO, env=self.env,
            capture_output=True, text=True, encoding="utf-8", errors="replace",
            stdin=subprocess.DEVNULL, timeout=timeout, check=False,
        )
        return Run(argv, done.returncode, done.stdout, done.stderr)


class Files:
    """Operators' files: CSV saved from Excel (UTF-8 with BOM, `;`, CRLF) and YAML."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def csv(
        self, name: str, header: Sequence[str], rows: Sequence[Sequence[object]],
        encoding: str = "utf-8-sig",
    ) -> Path:
        path = self.folder / name
        with path.open("w", encoding=encoding, newline="") as out:
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            writer.writerow(header)
            writer.writerows(rows)
        return path

    def text(self, name: str, content: str) -> Path:
        path = self.folder / name
        path.write_text(content, encoding="utf-8")
        return path


class Store:
    """The home's event store, opened only between CLI runs."""

    def __init__(self, env: dict[str, str], home: Path) -> None:
        self.env = env
        self.home = home

    @contextmanager
    def open(self) -> Iterator[Konkurs]:
        app: Konkurs = services_of_home(self.env, self.home)
        try:
            yield app
        finally:
            app.close()

    def head(self) -> int:
        with self.open() as app:
            return app.store.head_position()

    def count(self, event_class: type) -> int:
        with self.open() as app:
            return sum(1 for _ in app.store.contest_events(SLUG, [event_class]))

    def submissions(self) -> int:
        return self.count(Submission.Submitted)

    def reviews(self) -> int:
        """Scorecards and their revisions; a revision carries no slug, only its review's id."""
        with self.open() as app:
            cards = {e.originator_id for e in app.store.contest_events(SLUG, [Review.Scored])}
            revisions = app.store.read_log([topic_of(Review.Rescored)])
            return len(cards) + sum(1 for e in revisions if e.originator_id in cards)

    def ballots(self) -> int:
        return self.count(Ballot.Cast)

    def experts(self) -> int:
        return self.count(Expert.Enrolled)

    def assignments(self) -> dict[str, list[str]]:
        """Who was assigned to each submission, as the judging aggregates record it."""
        with self.open() as app:
            spec = app.store.get_contest(SLUG).spec
            return {reference: sorted(experts)
                    for judging in app.reads.judgings(spec).values()
                    for reference, experts in sorted(judging.assigned.items())}


class Contests:
    """Brings the test contest to a phase through the domain, as the workflow's activities would."""

    slug = SLUG
    spec_yaml = SPEC_YAML
    entries = ENTRIES
    panel = PANEL

    def __init__(self, store: Store) -> None:
        self.store = store
        self.spec: ContestSpec = parse_spec(SPEC_YAML, source="spec.yaml")

    def collecting(self) -> ContestSpec:
        with self.store.open() as app:
            app.contests.announce(
                Announce(spec=self.spec, plan=self.spec.phase_plan(), command_id="announce", actor=OPERATOR))
            close_phase(app, SLUG, Phase.ANNOUNCED, "close-announced")
        return self.spec

    def screening(self) -> ContestSpec:
        self.collecting()
        return self.close_collection()

    def close_collection(self) -> ContestSpec:
        """Submit the entries and close collection of a contest that is collecting."""
        with self.store.open() as app:
            app.submissions.submit(
                Submit(slug=SLUG, forms=[(f"entry {e[0]}", self.form(*e)) for e in ENTRIES], actor=OPERATOR)
            )
            close_phase(app, SLUG, Phase.COLLECTING, "close-collecting")
        return self.spec

    def judging(self) -> list[str]:
        """Every entry admitted, the panel enrolled and assigned; returns their references."""
        self.screening()
        return self.open_judging(PANEL)

    def open_judging(self, panel: Sequence[tuple[str, ExpertProfile]] = ()) -> list[str]:
        """Enroll `panel` (if any) before judging opens, admit every entry, open judging and
        assign experts from the roster as the workflow's `assign_experts` activity does."""
        with self.store.open() as app:
            if panel:
                app.judging.enroll_experts(EnrollExperts(slug=SLUG, profiles=panel, actor=OPERATOR))
            app.results.conclude_screening(ContestOrder(slug=SLUG, command_id="screen", actor=OPERATOR))
            close_phase(app, SLUG, Phase.SCREENING, "close-screening")
            app.judging.assign_experts(ContestOrder(slug=SLUG, command_id="assign", actor=OPERATOR))
            return sorted(app.reads.admitted_entries(SLUG))

    def voting(self) -> dict[str, list[str]]:
        """Judged by every assigned expert and shortlisted; returns the shortlist of each nomination."""
        admitted = self.judging()
        assigned = self.store.assignments()
        cards = [
            (
                f"card {reference}/{expert}",
                ReviewForm(
                    submission=reference,
                    expert=expert,
                    scores={"impact": float(3 + index + e), "replicable": float(1 + (index + e) % 5)},
                ),
            )
            for index, reference in enumerate(admitted)
            for e, expert in enumerate(assigned[reference])
        ]
        with self.store.open() as app:
            record_cards(app, SLUG, cards)
            close_phase(app, SLUG, Phase.JUDGING, "close-judging")
            app.results.conclude_judging(ContestOrder(slug=SLUG, command_id="judge", actor=OPERATOR))
            judging = app.store.get_contest(SLUG).judging
        assert judging is not None
        return judging.shortlist

    @staticmethod
    def form(
        reference: str, nomination: str, title: str, name: str, kind: str, region: str
    ) -> SubmissionForm:
        return SubmissionForm.model_validate(
            {
                "reference": reference,
                "nomination": nomination,
                "title": title,
                "applicant": {"name": name, "kind": kind, "region": region},
            }
        )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def home_store_env(home: Path, stores: Stores) -> dict[str, str]:
    """The store of the home: its konkurs.db on SQLite, a database of its own on PostgreSQL."""
    return stores.env(home / "konkurs.db")


@pytest.fixture
def cli(home: Path, home_store_env: dict[str, str]) -> Cli:
    return Cli(home, home_store_env)


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path / "files")


@pytest.fixture
def store(home_store_env: dict[str, str], home: Path) -> Store:
    return Store(home_store_env, home)


@pytest.fixture
def contests(store: Store) -> Contests:
    return Contests(store)


@pytest.fixture
def temporal(home: Path, cli: Cli) -> Iterator[str]:
    """An embedded dev server and a worker on the test's home; yields the server's address."""
    address = f"127.0.0.1:{free_port()}"
    with EmbeddedServer(home / "temporal.db", address):
        env = {**cli.env, "TEMPORAL_ADDRESS": address}
        worker = WorkerProcess(env, home / "worker.log")
        worker.start()
        try:
            asyncio.run(wait_for_worker(address, worker))
            cli.env = env
            yield address
        finally:
            worker.stop()


async def wait_for_worker(address: str, worker: WorkerProcess, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if not worker.alive():
            raise RuntimeError(f"the worker exited; see {worker.log_path}")
        try:
            client = await connect(TemporalTarget(address, "default", False, {}))
            await operations.require_worker(client)
            return
        except (RuntimeError, KonkursError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)
