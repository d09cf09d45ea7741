"""Times an auditor's whole check: the hash chain, then every result recomputed from the log.

    .venv/bin/python bench/audit.py [--submissions N] [--ballots N] [--workdir DIR] [--keep] [--json]

Builds Smart Dialog 2023 (screening, z-score judging, a people's-choice vote) on the embedded
SQLite store through the same commands the worker runs: N submissions, experts, screening,
assignment, every card, the 13 nominations and judging concluded, then N ballots (default
1,000,000 accepted, plus about 0.7% refused and recorded) in portal batches, the tally, results
declared and published, and the chain extended (`build_s`, progress on stderr). A fresh process
then opens the store and times `verify_chain` plus `audit_contest` (`verify_s`; target from
issue 7: at most 30 s). With --keep a store already built in --workdir is reused, so a second run
only times the audit. A benchmark: nothing fails on speed, but an audit that does not hold on an
untouched store is a bug, so its differences go to stderr and the exit code is 1.
In the same process, on the same store, it then times the audit's physical limit: one plain
SELECT of every event row with SHA-256 over each row's bytes (`raw_hash_s`), and prints
`verify_ratio_to_raw_hash`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from figures import report, timed  # noqa: E402

from domain.actors import LOCAL_OPERATOR as OPERATOR  # noqa: E402
from domain.commands.contest import Announce, RecordPhaseChange  # noqa: E402
from domain.commands.intake import BallotInput, CastBallots, Submit  # noqa: E402
from domain.commands.judging import ConcludeNomination, EnrollExperts  # noqa: E402
from domain.commands.order import ContestOrder  # noqa: E402
from domain.phases import Phase  # noqa: E402
from domain.regions import REGIONS  # noqa: E402
from konkurs import intake_files, population  # noqa: E402
from konkurs.population import Entry  # noqa: E402
from konkurs.settings import Settings  # noqa: E402
from konkurs.spec_files import load_spec  # noqa: E402
from services.konkurs import Konkurs  # noqa: E402
from store.dialect import Dialect  # noqa: E402

SPEC = REPO / "examples" / "smart-dialog-2023.yaml"
STORE = "konkurs.db"
BUILT = "built.json"  # written last: a store without it is an interrupted build
KEY = b"bench-audit-voter-key"
BATCH = 50_000
STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def open_store(workdir: Path) -> Konkurs:
    """The store, signing with a key kept in the workdir: the building process and the auditing
    one must share it, as a deployment's processes do."""
    key = Settings(home=workdir, persistence_module="", production=False).signing_key
    return Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                        "SQLITE_DBNAME": str(workdir / STORE)}, signing_key=key)


def build(workdir: Path, submissions: int, ballots: int) -> dict[str, Any]:
    """The contest from announcement to published results, in the workflow's order of steps."""
    spec = load_spec(SPEC)
    slug = spec.slug
    app = open_store(workdir)
    plan = spec.phase_plan()
    app.contests.announce(
        Announce(
            spec=spec,
            plan=plan.shifted(datetime.now(UTC) - plan.windows[0].closes_at),
            command_id=f"{slug}:announce",
            actor=OPERATOR,
        )
    )

    def close(phase: Phase) -> None:
        app.contests.change_phase(
            RecordPhaseChange(
                slug=slug,
                closed=phase,
                cause="operator",
                reason="closed early by the audit benchmark",
                command_id=f"{slug}:close:{phase}",
                actor=OPERATOR,
            )
        )

    close(Phase.ANNOUNCED)
    entries = population.submissions(spec, workdir / "s.csv", seed=1, count=submissions)
    population.experts(spec, workdir / "e.csv", seed=1, per_direction=max(14, submissions // 70))
    app.judging.enroll_experts(
        EnrollExperts(slug=slug, profiles=intake_files.expert_profiles(workdir / "e.csv"), actor=OPERATOR)
    )
    app.submissions.submit(
        Submit(slug=slug, forms=intake_files.submission_forms(workdir / "s.csv"), actor=OPERATOR)
    )
    say(f"{submissions:,} submissions recorded")
    close(Phase.COLLECTING)
    app.results.conclude_screening(
        ContestOrder(slug=slug, command_id=f"{slug}:conclude_screening", actor=OPERATOR)
    )
    close(Phase.SCREENING)
    app.judging.assign_experts(ContestOrder(slug=slug, command_id=f"{slug}:assign_experts", actor=OPERATOR))
    assignments = {
        ref: experts
        for judging in app.reads.judgings(spec).values()
        for ref, experts in judging.assigned.items()
    }
    population.reviews(spec, entries, assignments, workdir / "r.csv", seed=1)
    cards = population.record_cards(
        app, slug, intake_files.review_forms(workdir / "r.csv", spec.judging.criteria)
    ).recorded
    say(f"screened, experts assigned, {cards:,} cards recorded")
    close(Phase.JUDGING)
    for nomination in spec.nominations:
        app.judging.conclude_nomination(
            ConcludeNomination(
                slug=slug,
                nomination=nomination.code,
                command_id=f"{slug}:conclude:{nomination.code}",
                actor=OPERATOR,
            )
        )
    app.results.conclude_judging(
        ContestOrder(slug=slug, command_id=f"{slug}:conclude_judging", actor=OPERATOR)
    )
    judging = app.store.get_contest(slug).judging
    assert judging is not None
    say("judging concluded; voting")

    accepted = refused = 0
    for batch in batches(vote(judging.shortlist, entries, ballots), BATCH):
        outcome = app.ballots.cast_ballots(
            CastBallots(slug=slug, ballots=batch, voter_key=KEY, actor=OPERATOR)
        )
        accepted += outcome.accepted
        refused += sum(outcome.rejected.values())
        say(f"{accepted:,} ballots accepted, {refused:,} refused")
    if accepted != ballots:
        raise SystemExit(f"{accepted:,} ballots accepted where {ballots:,} were meant to be")
    close(Phase.VOTING)
    app.results.tally_votes(ContestOrder(slug=slug, command_id=f"{slug}:tally_votes", actor=OPERATOR))
    app.results.declare_results(ContestOrder(slug=slug, command_id=f"{slug}:declare_results", actor=OPERATOR))
    close(Phase.RESULTS)
    app.results.publish_results(ContestOrder(slug=slug, command_id=f"{slug}:publish_results", actor=OPERATOR))
    head = app.chain.extend()
    say(f"results published; chain extended to position {head.position:,}")
    app.close()
    return {"slug": slug, "submissions": submissions, "ballots": accepted, "ballots_refused": refused}


def vote(shortlist: dict[str, list[str]], entries: list[Entry], ballots: int) -> Iterator[BallotInput]:
    """Exactly `ballots` acceptable ballots: each citizen votes in 1–3 nominations, leaning to
    better practices and their own region. On top, refusals as portals send them: a repeat
    voter every 100 citizens, an unknown region every 250."""
    rng = random.Random("audit/ballots")
    by_reference = {e.reference: e for e in entries}
    nominations = sorted(code for code, refs in shortlist.items() if refs)
    weights: dict[tuple[str, str], list[float]] = {}

    def cumulative(nomination: str, region: str) -> list[float]:
        if (nomination, region) not in weights:
            total, running = 0.0, []
            for ref in shortlist[nomination]:
                entry = by_reference[ref]
                total += max(0.05, entry.quality) * (2 if entry.region == region else 1)
                running.append(total)
            weights[nomination, region] = running
        return weights[nomination, region]

    cast = citizen = 0
    while cast < ballots:
        citizen += 1
        voter, region = f"esia-{citizen:09d}", rng.choice(REGIONS).code
        chosen = rng.sample(nominations, k=min(len(nominations), rng.randint(1, 3)))
        for nomination in chosen[: ballots - cast]:
            pick = rng.choices(shortlist[nomination], cum_weights=cumulative(nomination, region))[0]
            cast += 1
            yield BallotInput(
                voter=voter, nomination=nomination, submission=pick, region=region, label=f"portal:{cast}"
            )
        if citizen % 100 == 0:
            yield BallotInput(
                voter=voter,
                nomination=chosen[0],
                submission=shortlist[chosen[0]][0],
                region=region,
                label=f"portal:{cast}+r",
            )
        if citizen % 250 == 0:
            yield BallotInput(
                voter=f"{voter}-x",
                nomination=chosen[0],
                submission=shortlist[chosen[0]][0],
                region="00",
                label=f"portal:{cast}+u",
            )


def batches(rows: Iterator[BallotInput], size: int) -> Iterator[list[BallotInput]]:
    batch: list[BallotInput] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def raw_hash(app: Konkurs, workdir: Path) -> tuple[int, float]:
    """The audit's physical limit: every event row of the same store read with one plain SELECT in
    this process, and one SHA-256 over each row's bytes. Gives (rows hashed, seconds)."""
    connection = sqlite3.connect(workdir / STORE)
    statement = (f"SELECT originator_id, originator_version, topic, state "
                 f"FROM {Dialect.of(app.store.recorder).events_table}")

    def hash_rows() -> int:
        count = 0
        for originator, version, topic, state in connection.execute(statement):
            hashlib.sha256(b"".join((originator.encode(), version.to_bytes(8, "big"), topic.encode(),
                                     state))).digest()
            count += 1
        return count

    try:
        return timed(hash_rows)
    finally:
        connection.close()


def audit(workdir: str, slug: str) -> tuple[dict[str, float | bool], list[str]]:
    """Run in a fresh process: the store as an auditor opens it, with nothing cached."""
    app = open_store(Path(workdir))
    broken, chain_s = timed(app.chain.verify)
    found, recompute_s = timed(lambda: app.audit.audit_contest(slug))
    problems = [broken.describe()] if broken else []
    problems += [difference.describe() for difference in found.differences]
    figures: dict[str, float | bool] = {
        "verify_s": chain_s + recompute_s,
        "chain_verify_s": chain_s,
        "recompute_s": recompute_s,
        "events": app.store.head_position(),
        "holds": broken is None and found.holds,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    _, raw_hash_s = raw_hash(app, Path(workdir))  # after the peak memory, which is the audit's alone
    figures |= {"raw_hash_s": raw_hash_s, "verify_ratio_to_raw_hash": (chain_s + recompute_s) / raw_hash_s}
    app.close()
    return figures, problems


def prepared(workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """What the store in `workdir` holds, building it first unless --keep finds it complete."""
    marker = workdir / BUILT
    if args.keep and marker.exists():
        built: dict[str, Any] = json.loads(marker.read_text())
        say(
            f"reusing the store in {workdir}: {built['submissions']:,} submissions, "
            f"{built['ballots']:,} ballots"
        )
        return built
    for name in (BUILT, STORE, f"{STORE}-wal", f"{STORE}-shm"):
        (workdir / name).unlink(missing_ok=True)
    built, built["build_s"] = timed(lambda: build(workdir, args.submissions, args.ballots))
    built["build_max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    marker.write_text(json.dumps(built))
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--ballots", type=int, default=1_000_000, help="ballots accepted")
    parser.add_argument("--workdir", type=Path, help="where the store is built (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="reuse a store already built in --workdir")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    # The auditor's process starts before the build: Linux carries a parent's peak RSS into a
    # child's getrusage, and the build's would hide the audit's own.
    with (
        tempfile.TemporaryDirectory() as tmp,
        ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool,
    ):
        pool.submit(int).result()
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        built = prepared(workdir, args)
        say("auditing in a fresh process")
        figures, problems = pool.submit(audit, str(workdir), built["slug"]).result()
    for problem in problems:
        print(problem, file=sys.stderr)
    report({**{k: v for k, v in built.items() if k != "slug"}, **figures}, args.json)
    if problems or not figures["holds"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
