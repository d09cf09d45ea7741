"""Announce → intake → results through the CLI, on the real dev server and the SQLite store."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from konkurs import population
from konkurs.spec_files import load_spec
from konkurs.supervisor import WorkerProcess
from tests.integration.conftest import REPO, Operator

SPEC = REPO / "examples" / "smart-dialog-2023.yaml"
SLUG = "smart-dialog-2023"


def wait_for_phase(operator: Operator, phase: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        board = json.loads(operator.run("status", SLUG, "--json").stdout)
        if board["phase"] == phase:
            return board
        assert time.monotonic() < deadline, f"stuck in {board['phase']}, expected {phase}"
        time.sleep(0.2)


def wait_for_json(
    operator: Operator, args: tuple[str, ...], ready: Callable[[Any], object], what: str,
    seconds: float = 60,
) -> Any:
    """The board's phase comes from the phase change, which the workflow records before the
    activities that follow it (assigning experts, concluding judging): poll until they ran."""
    deadline = time.monotonic() + seconds
    while True:
        shown = json.loads(operator.run(*args, "--json").stdout)
        if ready(shown):
            return shown
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def announced_with_a_worker(operator: Operator, worker: WorkerProcess) -> None:
    deadline = time.monotonic() + 60
    while True:
        done = operator.run("announce", str(SPEC), "--rebase-to-now", check=False)
        if done.returncode == 0:
            return
        assert "no worker" in done.stderr and time.monotonic() < deadline, done.stderr
        time.sleep(0.3)


def test_a_contest_goes_from_announcement_to_published_results_through_the_cli(
    operator: Operator, worker: WorkerProcess, tmp_path: Path
) -> None:
    spec = load_spec(SPEC)
    announced_with_a_worker(operator, worker)
    wait_for_phase(operator, "collecting")

    entries = population.submissions(spec, tmp_path / "submissions.csv", seed=5, count=120)
    operator.run("import", "submissions", SLUG, str(tmp_path / "submissions.csv"))
    roster = population.experts(spec, tmp_path / "experts.csv", seed=5)
    enrolled = json.loads(operator.run(
        "import", "experts", SLUG, str(tmp_path / "experts.csv"), "--json").stdout)
    assert enrolled == {"recorded": len(roster), "what": "experts", "rows": len(roster), "unchanged": 0}
    extended = operator.run("extend", SLUG, "--until", "2099-01-01", "--reason", "регионы просят",
                            check=False)
    assert extended.returncode == 1 and "would pass the screening deadline" in extended.stderr
    operator.run("close", SLUG, "--phase", "collecting", "--reason", "план выполнен")
    board = wait_for_phase(operator, "screening")
    assert board["submissions"] == 120
    assert board["admitted"] + board["rejected"] == 120
    assert len(board["by_nomination"]) == 13

    operator.run("close", SLUG, "--phase", "screening")
    wait_for_phase(operator, "judging")
    # Judging opened by assigning experts; the cards answer exactly the assigned pairs.
    assignments: dict[str, list[str]] = {}
    rows = wait_for_json(operator, ("judging", "assignments", SLUG), bool, "experts to be assigned")
    for row in rows:
        assignments.setdefault(row["submission"], []).append(row["expert"])
    assert len(assignments) == board["admitted"]
    assert all(len(set(experts)) == 3 for experts in assignments.values())
    assert {e for experts in assignments.values() for e in experts} <= set(roster)
    cards = population.reviews(spec, entries, assignments, tmp_path / "reviews.csv", seed=5)
    assert cards == 3 * board["admitted"]
    assert operator.experts_score(SLUG, tmp_path / "reviews.csv") == cards
    operator.run("close", SLUG, "--phase", "judging")
    wait_for_phase(operator, "voting")
    judged = wait_for_json(operator, ("judging", "report", SLUG), lambda r: r["concluded"],
                           "judging to conclude")
    assert len(judged["nominations"]) == 13
    assert all(n["agreement"] is not None for n in judged["nominations"]), judged["nominations"]

    ranking = json.loads(operator.run("results", SLUG, "--json").stdout)
    shortlist = {n["code"]: [r["reference"] for r in n["ranking"] if r["shortlisted"]]
                 for n in ranking["nominations"]}
    population.ballots(shortlist, entries, tmp_path / "ballots.csv", seed=5, voters=300)
    operator.run("import", "ballots", SLUG, str(tmp_path / "ballots.csv"))
    operator.run("close", SLUG, "--phase", "voting")
    wait_for_phase(operator, "results")
    operator.run("close", SLUG, "--phase", "results")
    wait_for_phase(operator, "closed")

    results = json.loads(operator.run("results", SLUG, "--json").stdout)
    assert results["published"]
    assert all(len(n["winners"]) == 3 for n in results["nominations"])
    # Seed 002: the vote is on the winners and awards nothing; its outcome is the demand by region.
    assert all(n["people_choice"] == [] for n in results["nominations"])
    assert all(set(results["demand"][n["code"]]) <= {w["reference"] for w in n["winners"]}
               for n in results["nominations"] if n["code"] in results["demand"])
    human = operator.run("results", SLUG).stdout
    assert "Winners" in human and "Demand by region" in human and "People's choice" not in human

    listing = json.loads(operator.run("contests", "--json").stdout)
    assert [c["slug"] for c in listing] == [SLUG]
    again = operator.run("announce", str(SPEC), "--rebase-to-now", check=False)
    assert again.returncode == 1
    assert again.stderr.strip().endswith("is already announced")


def test_commands_that_need_a_worker_say_how_to_start_one(operator: Operator) -> None:
    unserved = {"KONKURS_TASK_QUEUE": "nobody-serves-this", "KONKURS_WORKER_WAIT": "3"}
    idle = Operator(env={**operator.env, **unserved}, home=operator.home)
    done = idle.run("announce", str(SPEC), "--rebase-to-now", check=False)
    assert done.returncode == 1
    assert "start one with `konkurs worker`" in done.stderr
    assert "Traceback" not in done.stderr


def test_commands_that_need_the_server_say_how_to_start_it(operator: Operator) -> None:
    env = {**operator.env}
    env.pop("TEMPORAL_ADDRESS")
    env["TEMPORAL_ADDRESS"] = "127.0.0.1:1"
    unreachable = Operator(env=env, home=operator.home)
    done = unreachable.run("announce", str(SPEC), "--rebase-to-now", check=False)
    assert done.returncode == 1
    assert "cannot reach the Temporal server at 127.0.0.1:1" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
