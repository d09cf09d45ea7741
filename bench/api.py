"""The HTTP API under real load: single ballots over loopback, against the same server's ceiling.

    .venv/bin/python bench/api.py [--json] [--postgres] [--workers N] [--seconds S] [--connections C]
    .venv/bin/python bench/api.py --candidates [--json]    # the bare endpoint per framework and server

Brings a contest to its voting phase in a fresh store (SQLite under a temporary KONKURS_HOME, or
with --postgres a new database on the server POSTGRES_* names, dropped afterwards), starts real
server processes on 127.0.0.1 (`konkurs api`) and loads them from other processes over loopback.
The load generators share the machine's cores with the servers.

- ballots_per_s: `POST /v1/contests/{slug}/ballots` from wrk at saturation (--connections 64),
  every request a new voter, every answer given after the commit that holds the ballot (group
  commit). `ballots_accepted` is wrk's count of "accepted" answers, `ballots_stored` the ballots
  the run added to the store: more only by the requests wrk had in flight when it stopped.
- bare_per_s, ratio_to_bare: the same load on `POST /bare` of the same app on the same server
  settings (bench/api_apps.py): the same authentication and validation, nothing written.
- txn_per_request_per_s, ratio_to_txn_per_request: the same load with one durable transaction per
  ballot (`konkurs api --no-group-commit`).
- p50_ms_at_1000, p99_ms_at_1000: ballots offered open-loop at --rate (1,000/s) by
  bench/api_open_loop.py, each latency counted from the request's scheduled time; the same run
  against /bare (`bare_*_at_1000`) shows what the machine's HTTP stack does at that rate, and
  `dispatch_lag_*` that the generator itself kept its schedule.
- submission_p50_ms, submission_p99_ms: an applicant's submission with a 1 MiB attachment (the
  JSON filing, then the multipart upload), offered open-loop at --submission-rate to a contest in
  its collecting phase; `submission_files_stored` counts the files the run left on disk.

The saturation servers (bare, group commit, one transaction per request) run side by side and take
turns for --rounds rounds, so whatever else the machine does falls on each alike: a rate is the
median of its rounds (`*_per_s_rounds` lists them), a ratio the median of the rounds' ratios.

--candidates measures the bare endpoint at saturation on each framework and server in
bench/api_apps.py (needs `pip install litestar granian`, bench-only). A benchmark, not a test:
nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import median
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api_apps import BARE  # noqa: E402
from api_load import BIN, HERE, HOST, WARM_UP_S, Load, Settings, open_loop, serving, wrk  # noqa: E402
from api_world import Store, prepared  # noqa: E402

from domain.actors import Role, Scope  # noqa: E402
from konkurs.devserver import free_port  # noqa: E402
from tests.stores import PostgresServer  # noqa: E402
from tests.unit.permissions import APPLICANT_INN, SLUG, collecting, fresh, voting  # noqa: E402

ATTACHMENT_BYTES = 1024 * 1024
BOUNDARY = "konkurs-bench-7d1f"
Command = Callable[[int, int], list[str]]  # (port, workers) -> the server's command line
Figures = dict[str, Any]


def konkurs_api(group_commit: bool) -> Command:
    def command(port: int, workers: int) -> list[str]:
        return [str(BIN / "konkurs"), "api", "--host", HOST, "--port", str(port), "--workers", str(workers),
                "--group-commit" if group_commit else "--no-group-commit"]
    return command


def uvicorn(factory: str) -> Command:
    """The bench apps served as `konkurs api` serves its own: the options it hands uvicorn.run
    (konkurs/cli/api_command.py), uvicorn's defaults picking uvloop and httptools."""
    def command(port: int, workers: int) -> list[str]:
        return [str(BIN / "uvicorn"), "--factory", factory, "--host", HOST, "--port", str(port),
                "--workers", str(workers), "--log-level", "warning", "--no-access-log", "--no-proxy-headers"]
    return command


def granian(factory: str) -> Command:
    def command(port: int, workers: int) -> list[str]:
        return [str(BIN / "granian"), "--interface", "asgi", "--factory", factory, "--host", HOST,
                "--port", str(port), "--workers", str(workers), "--loop", "uvloop", "--http", "1",
                "--no-ws", "--log-level", "warning", "--no-access-log"]
    return command


CANDIDATES: dict[str, tuple[Command, tuple[str, ...]]] = {
    # name: (server, the bench-only packages it needs). fastapi_*: the product's own app with
    # /bare, as in the main run; the others: /bare alone, the framework as it comes.
    "fastapi_uvicorn": (uvicorn("api_apps:fastapi_bare"), ()),
    "fastapi_granian": (granian("api_apps:fastapi_bare"), ("granian",)),
    "fastapi_plain_uvicorn": (uvicorn("api_apps:fastapi_plain"), ()),
    "starlette_uvicorn": (uvicorn("api_apps:starlette_bare"), ()),
    "litestar_uvicorn": (uvicorn("api_apps:litestar_bare"), ("litestar",)),
    "litestar_granian": (granian("api_apps:litestar_bare"), ("litestar", "granian")),
}


@dataclass(frozen=True)
class Bench:
    workdir: Path
    workers: int
    load: Settings
    rounds: int
    rate: float
    submission_rate: float
    postgres: PostgresServer | None

    @contextmanager
    def serve(self, command: Command, store: Store) -> Iterator[int]:
        """The server `command` starts, over `store`; gives its port."""
        port = free_port()
        line = command(port, self.workers)
        env = os.environ | store.env | {"PYTHONPATH": os.pathsep.join((str(REPO), str(HERE)))}
        progress(f"  starting {Path(line[0]).name} ({self.workers} worker(s))")
        with serving(line, env, port, self.log):
            yield port

    @contextmanager
    def serve_all(self, commands: dict[str, Command], store: Store) -> Iterator[dict[str, int]]:
        """Every server at once, idle but for the one under load; gives their ports by name."""
        with ExitStack() as servers:
            yield {name: servers.enter_context(self.serve(command, store))
                   for name, command in commands.items()}

    def take_turns(self, targets: dict[str, tuple[int, Load]], store: Store) -> dict[str, list[Figures]]:
        """Each target at saturation once a round for --rounds rounds: whatever else the machine is
        doing falls on all of them alike, and the median of each holds still."""
        runs: dict[str, list[Figures]] = {name: [] for name in targets}
        for number in range(self.rounds):
            for name, (port, load) in targets.items():
                runs[name].append(self.saturated(port, load, f"{name}-{number}", store, warm=number == 0))
        return runs

    @property
    def log(self) -> Path:
        return self.workdir / "processes.log"

    def saturated(self, port: int, load: Load, run: str, store: Store, warm: bool) -> Figures:
        """wrk for --seconds, when `warm` after WARM_UP_S of the same load (every worker process
        has opened the store and met the request before the clock starts); `stored` counts the
        ballots the measured run left in the store, which exceeds its accepted answers by the
        requests in flight when wrk stopped (at most --connections)."""
        progress(f"  {run}: wrk, {self.load.connections} connections, {self.load.seconds:g} s")
        if warm:
            wrk(port, load, self.load, WARM_UP_S, f"{run}-warm", self.log)
        before = store.settled_ballots()
        figures = wrk(port, load, self.load, self.load.seconds, run, self.log)
        return figures | {"stored": store.settled_ballots() - before}

    def paced(self, port: int, steps: list[Load], rate: float, run: str) -> Figures:
        progress(f"  {run}: open loop, {rate:g}/s for {self.load.seconds:g} s")
        return open_loop(port, steps, rate, self.load.seconds, run, self.log)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ballot_body(submission: str) -> bytes:
    ballot = {"voter": "{n}", "nomination": "HC-1", "submission": submission, "region": "75"}
    return json.dumps(ballot).encode()


def ballot_figures(bench: Bench) -> Figures:
    progress("ballots: a contest in its voting phase")
    servers = {"bare": uvicorn("api_apps:fastapi_bare"), "grouped": konkurs_api(group_commit=True),
               "txn_per_request": konkurs_api(group_commit=False)}
    with prepared(bench.workdir / "voting", bench.postgres, voting) as store, \
            bench.serve_all(servers, store) as ports:
        ballots = Load(f"/v1/contests/{SLUG}/ballots", store.token(Role.PORTAL, "vote-portal",
                                                                   Scope(contests=(SLUG,))),
                       ballot_body(store.world.extra["shortlisted"]))
        bare = replace(ballots, path=BARE)
        runs = bench.take_turns({"bare": (ports["bare"], bare), "grouped": (ports["grouped"], ballots),
                                 "txn_per_request": (ports["txn_per_request"], ballots)}, store)
        bare_paced = bench.paced(ports["bare"], [bare], bench.rate, "bare-paced")
        paced = bench.paced(ports["grouped"], [ballots], bench.rate, "paced")
    grouped, bare_runs, single = runs["grouped"], runs["bare"], runs["txn_per_request"]
    return {
        **rates("ballots", grouped),
        "ballots_accepted": total(grouped, "accepted"),
        "ballots_stored": total(grouped, "stored"),
        "ballots_refused": total(grouped, "refused"),
        "ballots_failed": total(grouped, "failed"),
        "ballots_p99_ms_saturated": median(run["p99_ms"] for run in grouped),
        **rates("bare", bare_runs),
        "bare_stored": total(bare_runs, "stored"),
        "ratio_to_bare": ratio(grouped, bare_runs),
        **rates("txn_per_request", single),
        "txn_per_request_stored": total(single, "stored"),
        "ratio_to_txn_per_request": ratio(grouped, single),
        **at_rate("", paced),
        **at_rate("bare_", bare_paced),
    }


def rates(name: str, runs: list[Figures]) -> Figures:
    """The median of the rounds' rates of accepted answers, and each round's."""
    each = [run["accepted_per_s"] for run in runs]
    return {f"{name}_per_s": median(each), f"{name}_per_s_rounds": each}


def total(runs: list[Figures], key: str) -> int:
    return int(sum(run[key] for run in runs))


def ratio(runs: list[Figures], baseline: list[Figures]) -> float:
    """The median of the rounds' ratios: a round's two runs are the closest in time."""
    pairs = zip(runs, baseline, strict=True)
    return median(run["accepted_per_s"] / base["accepted_per_s"] for run, base in pairs)


def at_rate(prefix: str, paced: Figures) -> Figures:
    rate = f"{paced['offered_per_s']:g}"
    return {
        f"{prefix}p50_ms_at_{rate}": paced["p50_ms"],
        f"{prefix}p99_ms_at_{rate}": paced["p99_ms"],
        f"{prefix}answered_per_s_at_{rate}": paced["answered_per_s"],
        f"{prefix}failed_at_{rate}": paced["failed"],
        f"{prefix}dispatch_lag_p99_ms_at_{rate}": paced["dispatch_lag_p99_ms"],
        f"{prefix}generator_cores_at_{rate}": paced["generator_cores"],
    }


def submission_body() -> bytes:
    return json.dumps({
        "reference": "{n}", "nomination": "HC-1", "title": "Практика {n}",
        "applicant": {"name": "Школа 1", "kind": "ngo", "region": "75", "inn": APPLICANT_INN},
    }).encode()


def attachment_body() -> bytes:
    """One multipart field `file`: a PDF of ATTACHMENT_BYTES that names its request, since files
    are stored by content and the same bytes twice would be written once."""
    head, tail = b"%PDF-1.4\n% {n}\n", b"\n%%EOF\n"
    content = head + b"0" * (ATTACHMENT_BYTES - len(head) - len(tail)) + tail
    part = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"practice.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n")
    return part.encode() + content + f"\r\n--{BOUNDARY}--\r\n".encode()


def submission_figures(bench: Bench) -> Figures:
    """An applicant's submission with its file: the JSON filing, then the upload on the same
    connection; the latency runs from the filing's scheduled time to the upload's answer."""
    progress("submissions: a contest in its collecting phase")
    with prepared(bench.workdir / "collecting", bench.postgres, collecting) as store:
        filing = Load(f"/v1/contests/{SLUG}/submissions",
                      store.token(Role.APPLICANT, "school-1", Scope(inn=APPLICANT_INN)), submission_body())
        attaching = Load(f"/v1/contests/{SLUG}/submissions/{{n}}/materials", filing.token, attachment_body(),
                         f"multipart/form-data; boundary={BOUNDARY}")
        with bench.serve(konkurs_api(group_commit=True), store) as port:
            bench.paced(port, [filing, attaching], bench.submission_rate, "submission-warm")
            before = store.files_stored()
            paced = bench.paced(port, [filing, attaching], bench.submission_rate, "submission")
            stored = store.files_stored() - before
    return {
        "submission_p50_ms": paced["p50_ms"],
        "submission_p99_ms": paced["p99_ms"],
        "submission_offered_per_s": paced["offered_per_s"],
        "submission_failed": paced["failed"],
        "submission_attachment_bytes": ATTACHMENT_BYTES,
        "submission_answered": paced["answered_2xx"],
        "submission_files_stored": stored,
    }


def candidate_figures(bench: Bench) -> Figures:
    """The bare endpoint at saturation on each framework and server that is installed."""
    installed = {name: command for name, (command, needs) in CANDIDATES.items()
                 if all(importlib.util.find_spec(package) for package in needs)}
    figures: Figures = {f"{name}_missing": f"pip install {' '.join(needs)}"
                        for name, (_, needs) in CANDIDATES.items() if name not in installed}
    with prepared(bench.workdir / "candidates", bench.postgres, fresh) as store, \
            bench.serve_all(installed, store) as ports:
        bare = Load(BARE, store.token(Role.PORTAL, "vote-portal", Scope(contests=(SLUG,))), ballot_body("A2"))
        runs = bench.take_turns({name: (port, bare) for name, port in ports.items()}, store)
    for name, rounds in runs.items():
        figures |= rates(name, rounds) | {f"{name}_p99_ms": median(run["p99_ms"] for run in rounds),
                                          f"{name}_failed": total(rounds, "failed")}
    return figures


def rounded_figure(value: Any) -> Any:
    if isinstance(value, list):
        return [rounded_figure(item) for item in value]
    return round(value, 2) if isinstance(value, float) else value


def emit(figures: Figures, as_json: bool) -> None:
    """Rounded figures: one JSON object with --json, else one aligned line each."""
    rounded = {key: rounded_figure(value) for key, value in figures.items()}
    if as_json:
        print(json.dumps(rounded, ensure_ascii=False))
        return
    width = max(map(len, rounded))
    for key, value in rounded.items():
        shown = ", ".join(f"{item:,}" for item in value) if isinstance(value, list) else (
            f"{value:,}" if isinstance(value, int | float) else value)
        print(f"{key:>{width}}  {shown}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="each measured load run")
    parser.add_argument("--rounds", type=int, default=3, help="saturation runs per server, taking turns")
    parser.add_argument("--connections", type=int, default=64, help="wrk's connections at saturation")
    parser.add_argument("--workers", type=int, default=2,
                        help="server processes (2 served more on this 2-core machine than 1)")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--rate", type=float, default=1000.0, help="ballots a second, open loop")
    parser.add_argument("--submission-rate", type=float, default=10.0, help="submissions a second")
    parser.add_argument("--postgres", action="store_true", help="a fresh database on POSTGRES_*")
    parser.add_argument("--candidates", action="store_true", help="compare frameworks and servers")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser.parse_args()


def postgres_server(wanted: bool) -> PostgresServer | None:
    server = PostgresServer.from_environ() if wanted else None
    if wanted and server is None:
        sys.exit("--postgres needs POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD and "
                 "POSTGRES_DBNAME (a database to create the bench's own from)")
    return server


def _interrupted(signum: int, _: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through every `finally`, which ends the processes


def main() -> None:
    args = arguments()
    if shutil.which("wrk") is None:
        sys.exit("bench/api.py needs wrk on the PATH (apt-get install wrk)")
    signal.signal(signal.SIGTERM, _interrupted)
    with tempfile.TemporaryDirectory(prefix="konkurs-api-bench-") as tmp:
        bench = Bench(Path(tmp), args.workers, Settings(args.seconds, args.connections, args.wrk_threads),
                      args.rounds, args.rate, args.submission_rate, postgres_server(args.postgres))
        figures: Figures = {"store": "postgres" if args.postgres else "sqlite", "workers": args.workers,
                            "connections": args.connections, "seconds": args.seconds, "rounds": args.rounds}
        if args.candidates:
            figures |= candidate_figures(bench)
        else:
            figures |= ballot_figures(bench) | submission_figures(bench)
    emit(figures, args.json)


if __name__ == "__main__":
    main()
