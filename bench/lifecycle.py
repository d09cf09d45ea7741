"""Times the contest spine on the embedded SQLite store, and `konkurs demo` end to end.

    .venv/bin/python bench/lifecycle.py [--submissions N] [--voters N] [--json]

Prints rates for each intake and conclusion step, and the demo's wall time (target: under a
minute). A benchmark, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from figures import report, timed  # noqa: E402

from domain.konkurs import Konkurs  # noqa: E402
from domain.phases import Phase  # noqa: E402
from domain.spec_file import load_spec  # noqa: E402
from konkurs import intake_files, population  # noqa: E402


def spine(workdir: Path, submissions: int, voters: int) -> dict[str, float]:
    spec = load_spec(REPO / "examples" / "smart-dialog-2023.yaml")
    slug = spec.slug
    app = Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                       "SQLITE_DBNAME": str(workdir / "konkurs.db")})
    plan = spec.phase_plan().shifted(datetime.now(UTC) - spec.phase_plan().windows[0].closes_at)
    app.announce(spec, plan, "announce")
    app.change_phase(slug, Phase.ANNOUNCED, "bench", "", "c1")
    figures: dict[str, float] = {}

    entries = population.submissions(spec, workdir / "s.csv", seed=1, count=submissions)
    population.experts(spec, workdir / "e.csv", seed=1, per_direction=70)
    app.enroll_experts(slug, intake_files.expert_profiles(workdir / "e.csv"))
    forms = intake_files.submission_forms(workdir / "s.csv")
    _, seconds = timed(lambda: app.submit(slug, forms))
    figures["submissions_per_s"] = submissions / seconds
    app.change_phase(slug, Phase.COLLECTING, "bench", "", "c2")
    _, figures["screening_s"] = timed(lambda: app.conclude_screening(slug, "screen"))
    app.change_phase(slug, Phase.SCREENING, "bench", "", "c3")

    _, figures["assignment_s"] = timed(lambda: app.assign_experts(slug, "assign"))
    assignments = {ref: experts for judging in app.judgings(spec).values()
                   for ref, experts in judging.assigned.items()}
    cards = population.reviews(spec, entries, assignments, workdir / "r.csv", seed=1)
    review_forms = intake_files.review_forms(workdir / "r.csv", spec.judging.criteria)
    _, seconds = timed(lambda: app.record_reviews(slug, review_forms))
    figures["reviews_per_s"] = cards / seconds
    app.change_phase(slug, Phase.JUDGING, "bench", "", "c4")
    _, figures["judging_s"] = timed(lambda: app.conclude_judging(slug, "judge"))

    judging = app.get_contest(slug).judging
    assert judging is not None
    ballots = population.ballots(judging.shortlist, entries, workdir / "b.csv", seed=1, voters=voters)
    ballot_forms = intake_files.ballot_forms(workdir / "b.csv")
    _, seconds = timed(lambda: app.cast_ballots(slug, ballot_forms, b"bench-key"))
    figures["ballots_per_s"] = ballots / seconds
    figures["ballots"] = ballots
    app.change_phase(slug, Phase.VOTING, "bench", "", "c5")
    _, figures["tally_s"] = timed(lambda: app.tally_votes(slug, "tally"))
    app.close()
    return figures


def demo_seconds(workdir: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "konkurs", "demo", "--json", "--home",
                    str(workdir / "demo")], cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--voters", type=int, default=10000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = spine(Path(tmp), args.submissions, args.voters)
        figures["submissions"] = args.submissions
        figures["demo_wall_s"] = demo_seconds(Path(tmp))
    report(figures, args.json)


if __name__ == "__main__":
    main()
