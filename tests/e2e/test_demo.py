"""`konkurs demo` as `make demo` runs it: same seed, same winners, even through a worker crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from konkurs.spec_files import load_spec
from services.konkurs import Konkurs

REPO = Path(__file__).resolve().parents[2]


def run_demo(home: Path, *flags: str, cwd: Path = REPO) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPORAL_")}
    done = subprocess.run(
        [sys.executable, "-m", "konkurs", "demo", "--json", "--seed", "11", "--home", str(home),
         *flags],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def winners(report: dict) -> dict[str, list[str]]:
    return {n["code"]: [w["reference"] for w in n["winners"]]
            for n in report["results"]["nominations"]}


def audit_report(home: Path, slug: str = "smart-dialog-2023") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEMPORAL_", "KONKURS_"))}
    done = subprocess.run(
        [sys.executable, "-m", "konkurs", "audit", "report", slug, "--out", str(home / "report"), "--json"],
        cwd=REPO, env={**env, "KONKURS_HOME": str(home)}, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def topic_counts(home: Path) -> Counter[str]:
    """Events by aggregate and type, e.g. `Contest.JudgingConcluded`, `Judging.Concluded`."""
    store = Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                         "SQLITE_DBNAME": str(home / "konkurs.db")})
    try:
        return Counter(event.topic.rsplit(":", 1)[-1] for event in store.store.read_log())
    finally:
        store.close()


@pytest.mark.slow  # two full demos, about 35 s
@pytest.mark.only_on("sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")
def test_a_worker_killed_during_judging_changes_neither_results_nor_events(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"  # `konkurs demo` finds its example outside the checkout
    elsewhere.mkdir()
    calm = run_demo(tmp_path / "calm", cwd=elsewhere)
    crashed = run_demo(tmp_path / "crashed", "--kill-worker-during-judging", "--no-outputs")

    assert len(winners(calm)) == 13
    assert all(len(places) == 3 for places in winners(calm).values())
    assert winners(crashed) == winners(calm)
    for run in (calm, crashed):
        assert run["audit"]["intact"] and run["audit"]["holds"], run["audit"]
        recomputed = {c["check"]: c["recomputed"] for c in run["audit"]["checks"]}
        assert recomputed["screening"] >= 300 and recomputed["publication"] == 39
        assert recomputed["assignment"] > 0 and recomputed["tally"] > 0
        assert recomputed["intake"] > 300 and recomputed["results view"] > 0
        assert run["audit"]["signed_head"]["position"] == run["audit"]["head"]["position"]
    assert {r["code"] for r in calm["participation"]["regions"] if r["submissions"]} == {
        r["code"] for r in calm["participation"]["regions"]}
    assert len(calm["participation"]["regions"]) == 89

    report = audit_report(tmp_path / "calm")
    by = {
        (c["kind"], c["phase"]): (c["actor"]["kind"], c["actor"]["id"]) for c in report["operator_commands"]
    }
    operator = ("operator", "local-operator")
    assert by[("announcement", None)] == by[("extension", "collecting")] == operator
    assert all(by[("early close", phase)] == operator for phase in ("collecting", "judging", "voting"))
    assert by[("publication", None)] == ("system", "konkurs")
    [recusal] = [c for c in report["operator_commands"] if c["kind"] == "recusal"]
    assert (recusal["actor"]["kind"], recusal["actor"]["id"]) == ("expert", recusal["details"]["expert"])
    assert len(report["cards"]) >= 30 and all(c["by_the_expert"] for c in report["cards"])
    assert sum(c["cards"] for c in report["cards"]) == 1008

    calm_events, crashed_events = topic_counts(tmp_path / "calm"), topic_counts(tmp_path / "crashed")
    assert crashed_events == calm_events
    assert crashed_events["Contest.PhaseChanged"] == 6
    for once in ("Announced", "ScreeningConcluded", "JudgingConcluded", "VotesTallied",
                 "ResultsDeclared", "ResultsPublished", "DeadlineExtended"):
        assert crashed_events[f"Contest.{once}"] == 1, once
    assert crashed_events["Submission.Placed"] == 39
    # One judging per nomination, opened and concluded once each even through the crash.
    assert crashed_events["Judging.Opened"] == 13
    assert crashed_events["Judging.Concluded"] == 13
    assert crashed_events["Judging.Recused"] == 1


@pytest.mark.only_on("sqlite", reason="`konkurs demo` is the embedded default: its store is always SQLite")
def test_the_demo_runs_a_contest_between_authorities_without_a_vote(tmp_path: Path) -> None:
    """Decade of Childhood: regional authorities and municipalities apply, no public vote."""
    spec = load_spec(REPO / "examples" / "decade-of-childhood-2023.yaml")
    report = run_demo(tmp_path / "decade", "--spec", "examples/decade-of-childhood-2023.yaml",
                      "--no-outputs")
    assert set(winners(report)) == {n.code for n in spec.nominations}
    assert all(len(places) == 3 for places in winners(report).values())
    assert report["audit"]["intact"] and report["audit"]["holds"]
    assert topic_counts(tmp_path / "decade")["Contest.VotesTallied"] == 0


def test_the_demo_refuses_a_spec_that_needs_a_registry_in_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "konkurs", "demo", "--home", str(tmp_path / "registry"),
         "--spec", "examples/social-services-2025-zabaikalsky.yaml"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: examples/social-services-2025-zabaikalsky.yaml: the demo generates applicants but no "
        "registry 'social-service-providers' for them; import one with `konkurs import registry` and "
        "run the contest with `konkurs announce` instead"]
    assert not (tmp_path / "registry").exists()
