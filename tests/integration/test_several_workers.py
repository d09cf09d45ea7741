"""Several `konkurs worker` processes on one task queue share a contest's work, and starting
N of them at once is safe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.aggregates import Contest, Submission
from konkurs import population
from konkurs.spec_files import load_spec
from konkurs.supervisor import WorkerProcess
from services.konkurs import Konkurs
from store.log import topic_of
from tests.integration.conftest import REPO, Operator
from tests.integration.test_cli_lifecycle import SPEC, wait_for_json
from tests.stores import Stores

DONE = re.compile(r"activity_done\s.*\bactivity=(\w+)\b.*\bapplied=(True|False)\b")


@pytest.fixture
def team(operator: Operator) -> Iterator[list[WorkerProcess]]:
    """Two workers on a task queue of their own, logging each activity they run."""
    operator.env["KONKURS_TASK_QUEUE"] = f"konkurs-team-{uuid.uuid4().hex[:8]}"
    operator.home.mkdir(parents=True, exist_ok=True)
    env = {**operator.env, "KONKURS_LOG_LEVEL": "INFO"}
    workers = [WorkerProcess(env, operator.home / f"worker-{n}.log") for n in (1, 2)]
    for worker in workers:
        worker.start()
    yield workers
    for worker in workers:
        worker.stop()


def activities_done(worker: WorkerProcess) -> list[tuple[str, bool]]:
    return [(match[1], match[2] == "True")
            for match in DONE.finditer(worker.log_path.read_text(errors="replace"))]


def announced(operator: Operator, spec_file: Path) -> None:
    """Announce once a worker polls the queue (the workers may still be starting)."""
    deadline = time.monotonic() + 60
    while (done := operator.run("announce", str(spec_file), "--rebase-to-now", check=False)).returncode:
        assert "no worker" in done.stderr and time.monotonic() < deadline, done.stderr
        time.sleep(0.3)


def test_two_workers_on_one_task_queue_complete_a_contest_together(
    operator: Operator, team: list[WorkerProcess], stores: Stores, tmp_path: Path
) -> None:
    # A slug of its own: the dev server is shared, and workflow ids are per contest.
    slug = f"smart-dialog-team-{uuid.uuid4().hex[:6]}"
    spec_file = tmp_path / "spec.yaml"
    spec_file.write_text(SPEC.read_text(encoding="utf-8").replace(
        "slug: smart-dialog-2023", f"slug: {slug}"), encoding="utf-8")
    spec = load_spec(spec_file)

    def phase(name: str) -> None:
        wait_for_json(operator, ("status", slug), lambda b: b["phase"] == name, f"phase {name}")

    announced(operator, spec_file)
    phase("collecting")
    entries = population.submissions(spec, tmp_path / "submissions.csv", seed=11, count=60)
    operator.run("import", "submissions", slug, str(tmp_path / "submissions.csv"))
    population.experts(spec, tmp_path / "experts.csv", seed=11)
    operator.run("import", "experts", slug, str(tmp_path / "experts.csv"))
    operator.run("close", slug, "--phase", "collecting")
    phase("screening")
    operator.run("close", slug, "--phase", "screening")
    rows = wait_for_json(operator, ("judging", "assignments", slug), bool, "experts to be assigned")
    assignments: dict[str, list[str]] = {}
    for row in rows:
        assignments.setdefault(row["submission"], []).append(row["expert"])
    population.reviews(spec, entries, assignments, tmp_path / "reviews.csv", seed=11)
    operator.experts_score(slug, tmp_path / "reviews.csv")
    operator.run("close", slug, "--phase", "judging")
    wait_for_json(operator, ("judging", "report", slug), lambda r: r["concluded"], "judging")
    operator.run("close", slug, "--phase", "voting")
    phase("results")
    operator.run("close", slug, "--phase", "results")
    results = wait_for_json(operator, ("results", slug), lambda r: r["published"], "publication")

    assert all(worker.alive() for worker in team)
    assert all(n["winners"] for n in results["nominations"])
    # The contest's own activities follow its workflow to one worker; its 13 judging children
    # start wherever a worker polls, so both workers conclude nominations.
    done = [activities_done(worker) for worker in team]
    assert all(done), f"a worker ran no activity: {[len(d) for d in done]}"
    applied = Counter(name for ran in done for name, wrote in ran if wrote)
    assert applied["publish_results"] == 1
    assert applied["conclude_nomination"] == len(spec.nominations)
    store = Konkurs(env=stores.env(operator.home / "konkurs.db"))
    try:
        published = list(store.store.read_log([topic_of(Contest.ResultsPublished)]))  # one contest here
        placed = [e.originator_id for e in store.store.read_log([topic_of(Submission.Placed)])]
    finally:
        store.close()
    assert len(published) == 1
    assert len(placed) == len(set(placed)) == sum(len(n["winners"]) for n in results["nominations"])


OPEN_AT = """
import sys, time
from konkurs.bootstrap import bootstrap
at = float(sys.argv[1])
time.sleep(max(0.0, at - time.time()))
bootstrap().services.close()
"""


def test_workers_opening_one_fresh_postgres_store_at_the_same_moment_all_start(
    postgres_env: dict[str, str], tmp_path: Path
) -> None:
    """Each opening runs the library's DDL; PostgreSQL refuses concurrent runs of it."""
    env = {**os.environ, **postgres_env, "KONKURS_HOME": str(tmp_path / "home")}
    at = time.time() + 3
    starting = [subprocess.Popen([sys.executable, "-c", OPEN_AT, str(at)], env=env, cwd=REPO,
                                 stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outcomes = [(p.communicate(timeout=120)[1], p.returncode) for p in starting]
    assert [err for err, code in outcomes if code] == []
