"""The Municipal Dialog 2024 participation drive at the marathon's scale, through the CLI.

    .venv/bin/python bench/participation.py [--municipalities N] [--submissions N] [--json]

Generates in a temporary home the Excel CSVs of 18,000 municipalities over the 89 regions and
80,000 initiatives skewed like seed 004 (Krasnodar 4, Kemerovo 252, Novgorod 104, a long tail
elsewhere), brings examples/municipal-dialog-2024.yaml to collection through the domain, then
times the operator's commands as `konkurs` subprocesses drawing their progress bars (rich is
told the pipe is a terminal): `import municipalities` and `import submissions` (`import_s` is
both, start to exit; the acceptance target is under 30 s), `participation --json` (`league_s`:
the views catch up with the log, then the league; `league_again_s` when they are up to date)
and `participation --chart` (`chart_s`).
Then one `review_participation`, as the workflow's activity runs it, in process (`review_s`).
The league is checked against the generated counts. A benchmark, not a test: no time fails it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from figures import close_phase, report, timed  # noqa: E402

from domain.actors import LOCAL_OPERATOR as OPERATOR  # noqa: E402
from domain.commands.contest import Announce, ReviewParticipation  # noqa: E402
from domain.phases import Phase  # noqa: E402
from konkurs import marathon_population  # noqa: E402
from konkurs.spec_files import load_spec  # noqa: E402
from services.konkurs import Konkurs  # noqa: E402


def collecting_contest(home: Path) -> str:
    """The example spec with its schedule moved so that collection is open now."""
    spec = load_spec(REPO / "examples" / "municipal-dialog-2024.yaml")
    plan = spec.phase_plan()
    app = Konkurs(env=store_env(home))
    app.contests.announce(
        Announce(
            spec=spec,
            plan=plan.shifted(datetime.now(UTC) - plan.windows[0].closes_at),
            command_id="announce",
            actor=OPERATOR,
        )
    )
    close_phase(app, spec.slug, Phase.ANNOUNCED, "open-collection", cause="bench")
    app.close()
    return spec.slug


def store_env(home: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(home / "konkurs.db")}


def konkurs(home: Path, *args: str | Path) -> str:
    env = {
        **os.environ,
        "KONKURS_HOME": str(home),
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "TTY_COMPATIBLE": "1",
        "TTY_INTERACTIVE": "1",
        "COLUMNS": "100",
    }
    done = subprocess.run(
        [sys.executable, "-m", "konkurs", *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"konkurs {' '.join(map(str, args))} failed: {done.stderr.strip()}")
    return done.stdout


def check_league(shown: dict[str, object], truth: marathon_population.Marathon) -> int:
    """The league must hold exactly the generated counts; returns how many regions lag."""
    regions = {r["code"]: r for r in shown["regions"]}  # type: ignore[attr-defined]
    for code, count in truth.submissions.items():
        line = regions[code]
        assert line["submissions"] == count, (code, line["submissions"], count)
        assert line["municipalities"] == len(truth.rosters[code]), code
        assert line["taking_part"] == truth.taking_part[code], code
    return len(shown["lagging"])  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=18_000)
    parser.add_argument("--submissions", type=int, default=80_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        slug = collecting_contest(home)
        spec = load_spec(REPO / "examples" / "municipal-dialog-2024.yaml")
        rosters, entries, truth = marathon_population.generate(
            spec, home, municipalities=args.municipalities, initiatives=args.submissions
        )
        _, municipalities_s = timed(lambda: konkurs(home, "import", "municipalities", rosters))
        recorded, submissions_s = timed(lambda: konkurs(home, "import", "submissions", slug, entries))
        assert "checking and recording" in recorded, "no progress was drawn"
        league, league_s = timed(lambda: konkurs(home, "participation", slug, "--json"))
        lagging = check_league(json.loads(league), truth)
        _, again_s = timed(lambda: konkurs(home, "participation", slug, "--json"))
        _, chart_s = timed(lambda: konkurs(home, "participation", slug, "--chart", home / "league.png"))
        app = Konkurs(env=store_env(home))
        _, review_s = timed(
            lambda: (
                app.participation.review_participation(
                    ReviewParticipation(
                        slug=slug, moment=datetime.now(UTC), command_id="bench:review", actor=OPERATOR
                    )
                ).applied
            )
        )
        app.close()
    report(
        {
            "regions": len(truth.rosters),
            "municipalities": args.municipalities,
            "submissions": args.submissions,
            "municipalities_s": municipalities_s,
            "submissions_s": submissions_s,
            "import_s": municipalities_s + submissions_s,
            "submissions_per_s": args.submissions / submissions_s,
            "league_s": league_s,
            "league_again_s": again_s,
            "chart_s": chart_s,
            "review_s": review_s,
            "lagging_regions": lagging,
        },
        args.json,
    )


if __name__ == "__main__":
    main()
