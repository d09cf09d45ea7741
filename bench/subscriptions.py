"""Latency from save to a following subscriber, on PostgreSQL (LISTEN/NOTIFY) or SQLite (polling).

    .venv/bin/python bench/subscriptions.py [--events N] [--gap MS] [--json] [--sqlite [--interval S]]

Creates a fresh database on the PostgreSQL server named by POSTGRES_HOST, POSTGRES_PORT,
POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DBNAME (a database to create it from), and drops
it afterwards. A `Subscriber` follows the log in a thread while the main thread records N
submissions one transaction each, `--gap` ms apart. An event's latency runs from its timestamp
(taken as it is raised, before the save) to the moment the subscriber's handler receives it, so
it includes the save's own commit. Prints p50/p90/p99/max in ms. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from figures import close_phase, report  # noqa: E402

from domain.actors import LOCAL_OPERATOR as OPERATOR  # noqa: E402
from domain.commands.contest import Announce  # noqa: E402
from domain.commands.intake import SubmissionForm, Submit  # noqa: E402
from domain.contract import PublicEvent  # noqa: E402
from domain.phases import Phase  # noqa: E402
from konkurs.spec_files import load_spec  # noqa: E402
from projections import ViewsDB  # noqa: E402
from projections.subscriber import Subscriber  # noqa: E402
from services.konkurs import Konkurs  # noqa: E402


@contextmanager
def fresh_postgres() -> Iterator[dict[str, str]]:
    import psycopg

    server = {k: v for k, v in os.environ.items() if k.startswith("POSTGRES_")}
    if "POSTGRES_HOST" not in server:
        sys.exit("set POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DBNAME "
                 "(or pass --sqlite)")
    name = f"konkurs_bench_{uuid.uuid4().hex[:10]}"
    admin: dict[str, Any] = {"host": server["POSTGRES_HOST"], "port": server.get("POSTGRES_PORT", "5432"),
             "user": server.get("POSTGRES_USER", "postgres"),
             "password": server.get("POSTGRES_PASSWORD", ""),
             "dbname": server.get("POSTGRES_DBNAME", "postgres"), "autocommit": True}
    with psycopg.connect(**admin) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield {**server, "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": name}
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f"DROP DATABASE {name} WITH (FORCE)")


def collecting_contest(app: Konkurs) -> str:
    spec = load_spec(REPO / "examples" / "smart-dialog-2023.yaml")
    app.contests.announce(Announce(spec=spec, plan=spec.phase_plan(), command_id="announce", actor=OPERATOR))
    close_phase(app, spec.slug, Phase.ANNOUNCED, "close:announced", cause="bench")
    return spec.slug


def form(number: int, nomination: str) -> SubmissionForm:
    return SubmissionForm.model_validate(
        {
            "reference": f"BENCH-{number:05d}",
            "nomination": nomination,
            "title": f"Практика {number}",
            "applicant": {"name": f"АНО «Участник {number}»", "kind": "ngo", "region": "23"},
        }
    )


def measure(env: dict[str, str], workdir: Path, events: int, gap: float, interval: float) -> dict[str, float]:
    app = Konkurs(env=env)
    slug = collecting_contest(app)
    nomination = app.store.get_contest(slug).spec.nominations[0].code
    latencies: list[float] = []
    received = threading.Event()

    def handle(event: PublicEvent) -> None:
        latencies.append(time.time() - event.timestamp.timestamp())
        if len(latencies) == events:
            received.set()

    subscriber = Subscriber(
        "bench",
        handle,
        store=app.store,
        views_db=ViewsDB(workdir / "views.db"),
        names=["submission.submitted"],
    )
    stop = threading.Event()
    follower = threading.Thread(target=subscriber.follow, args=(stop, interval))
    follower.start()
    saves: list[float] = []
    try:
        time.sleep(0.5)  # the follower is listening (or polling) by now
        for number in range(events):
            started = time.perf_counter()
            app.submissions.submit(
                Submit(slug=slug, forms=[(f"bench {number}", form(number, nomination))], actor=OPERATOR)
            )
            saves.append(time.perf_counter() - started)
            time.sleep(gap)
        if not received.wait(60):
            sys.exit(f"the subscriber received {len(latencies)} of {events} events")
    finally:
        stop.set()
        follower.join(10)
        app.close()
    ms = sorted(1000 * latency for latency in latencies)
    return {
        "n": len(ms),
        "p50_ms": _pct(ms, 50),
        "p90_ms": _pct(ms, 90),
        "p99_ms": _pct(ms, 99),
        "max_ms": ms[-1],
        "mean_ms": statistics.fmean(ms),
        "save_p50_ms": 1000 * statistics.median(saves),
    }


def _pct(sorted_ms: list[float], percent: int) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(percent / 100 * (len(sorted_ms) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--gap", type=float, default=10, help="ms between saves (default 10)")
    parser.add_argument("--sqlite", action="store_true", help="the embedded store's polling path")
    parser.add_argument("--interval", type=float, default=0.5, help="SQLite poll interval, s")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.sqlite:
            env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(workdir / "konkurs.db")}
            figures = measure(env, workdir, args.events, args.gap / 1000, args.interval)
        else:
            with fresh_postgres() as env:
                figures = measure(env, workdir, args.events, args.gap / 1000, args.interval)
    report(figures, args.json)


if __name__ == "__main__":
    main()
