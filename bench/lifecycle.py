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

from figures import close_phase, report, timed  # noqa: E402

from domain.actors import LOCAL_OPERATOR as OPERATOR  # noqa: E402
from domain.commands.contest import Announce  # noqa: E402
from domain.commands.intake import CastBallots, Submit  # noqa: E402
from domain.commands.judging import EnrollExperts  # noqa: E402
from domain.commands.order import ContestOrder  # noqa: E402
from domain.phases import Phase  # noqa: E402
from konkurs import intake_files, population  # noqa: E402
from konkurs.spec_files import load_spec  # noqa: E402
from services.konkurs import Konkurs  # noqa: E402


def spine(workdir: Path, submissions: int, voters: int) -> dict[str, float]:
    spec = load_spec(REPO / "examples" / "smart-dialog-2023.yaml")
    slug = spec.slug
    app = Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                       "SQLITE_DBNAME": str(workdir / "konkurs.db")})
    plan = spec.phase_plan().shifted(datetime.now(UTC) - spec.phase_plan().windows[0].closes_at)
    app.contests.announce(Announce(spec=spec, plan=plan, command_id="announce", actor=OPERATOR))
    close_phase(app, slug, Phase.ANNOUNCED, "c1", cause="bench")
    figures: dict[str, float] = {}

    entries = population.submissions(spec, workdir / "s.csv", seed=1, count=submissions)
    population.experts(spec, workdir / "e.csv", seed=1, per_direction=70)
    app.judging.enroll_experts(
        EnrollExperts(slug=slug, profiles=intake_files.expert_profiles(workdir / "e.csv"), actor=OPERATOR)
    )
    forms = intake_files.submission_forms(workdir / "s.csv")
    _, seconds = timed(
        lambda: app.submissions.submit(Submit(slug=slug, forms=forms, actor=OPERATOR)).recorded
    )
    figures["submissions_per_s"] = submissions / seconds
    close_phase(app, slug, Phase.COLLECTING, "c2", cause="bench")
    _, figures["screening_s"] = timed(
        lambda: (
            app.results.conclude_screening(
                ContestOrder(slug=slug, command_id="screen", actor=OPERATOR)
            ).applied
        )
    )
    close_phase(app, slug, Phase.SCREENING, "c3", cause="bench")

    _, figures["assignment_s"] = timed(
        lambda: (
            app.judging.assign_experts(ContestOrder(slug=slug, command_id="assign", actor=OPERATOR)).applied
        )
    )
    assignments = {
        ref: experts
        for judging in app.reads.judgings(spec).values()
        for ref, experts in judging.assigned.items()
    }
    cards = population.reviews(spec, entries, assignments, workdir / "r.csv", seed=1)
    review_forms = intake_files.review_forms(workdir / "r.csv", spec.judging.criteria)
    _, seconds = timed(
        lambda: population.record_cards(app, slug, review_forms).recorded
    )
    figures["reviews_per_s"] = cards / seconds
    close_phase(app, slug, Phase.JUDGING, "c4", cause="bench")
    _, figures["judging_s"] = timed(
        lambda: (
            app.results.conclude_judging(ContestOrder(slug=slug, command_id="judge", actor=OPERATOR)).applied
        )
    )

    judging = app.store.get_contest(slug).judging
    assert judging is not None
    ballots = population.ballots(judging.shortlist, entries, workdir / "b.csv", seed=1, voters=voters)
    cast = CastBallots(
        slug=slug,
        ballots=intake_files.ballots(workdir / "b.csv"),
        voter_key=b"bench-key",
        strict=True,
        actor=OPERATOR,
    )
    _, seconds = timed(lambda: app.ballots.cast_ballots(cast))
    figures["ballots_per_s"] = ballots / seconds
    figures["ballots"] = ballots
    close_phase(app, slug, Phase.VOTING, "c5", cause="bench")
    _, figures["tally_s"] = timed(
        lambda: app.results.tally_votes(ContestOrder(slug=slug, command_id="tally", actor=OPERATOR)).applied
    )
    app.close()
    return figures


def demo_seconds(workdir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "konkurs", "demo", "--json", "--home", str(workdir / "demo")],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
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
