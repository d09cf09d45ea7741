"""Times the people's pages as a browser loads them, over a real `konkurs api` process.

    .venv/bin/python bench/pages.py [--submissions N] [--requests N] [--json]

A contest of the Smart Dialog 2023 spec on the embedded SQLite store: 5,000 submissions from all
regions, a panel of 150 experts (so each has about 100 assignments), every card recorded, judging
still open. Then, signed in as an expert and as the federal operator (a session cookie, as a
browser holds one), it loads each page `--requests` times one after another and prints the p50,
p95 and worst time of each: the expert's list of assignments (target: p95 under 200 ms with 100
assignments) and the operator's board (target: p95 under 200 ms for a 5,000-submission stage).
Beside each page, the JSON API's read of the same data, and the ratio of the two, measured in the
same run. A benchmark, not a test: nothing here fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from figures import close_phase, report  # noqa: E402

from domain.actors import LOCAL_OPERATOR as OPERATOR  # noqa: E402
from domain.actors import Role, Scope  # noqa: E402
from domain.commands.contest import Announce  # noqa: E402
from domain.commands.credentials import IssueToken  # noqa: E402
from domain.commands.intake import Submit  # noqa: E402
from domain.commands.judging import EnrollExperts  # noqa: E402
from domain.commands.order import ContestOrder  # noqa: E402
from domain.phases import Phase  # noqa: E402
from konkurs import intake_files, population  # noqa: E402
from konkurs.devserver import free_port  # noqa: E402
from konkurs.spec_files import load_spec  # noqa: E402
from services.konkurs import Konkurs  # noqa: E402

EXPERTS_PER_DIRECTION = 50


def contest_in_judging(home: Path, submissions: int) -> tuple[str, dict[str, str], int]:
    """The contest, its people's tokens, and how many assignments the busiest expert has."""
    spec = load_spec(REPO / "examples" / "smart-dialog-2023.yaml")
    slug = spec.slug
    app = Konkurs(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                       "SQLITE_DBNAME": str(home / "konkurs.db")})
    try:
        plan = spec.phase_plan().shifted(datetime.now(UTC) - spec.phase_plan().windows[0].closes_at)
        app.contests.announce(Announce(spec=spec, plan=plan, command_id="announce", actor=OPERATOR))
        close_phase(app, slug, Phase.ANNOUNCED, "c1")
        entries = population.submissions(spec, home / "s.csv", seed=1, count=submissions)
        population.experts(spec, home / "e.csv", seed=1, per_direction=EXPERTS_PER_DIRECTION)
        app.judging.enroll_experts(EnrollExperts(
            slug=slug, profiles=intake_files.expert_profiles(home / "e.csv"), actor=OPERATOR))
        app.submissions.submit(Submit(slug=slug, forms=intake_files.submission_forms(home / "s.csv"),
                                      actor=OPERATOR))
        close_phase(app, slug, Phase.COLLECTING, "c2")
        app.results.conclude_screening(ContestOrder(slug=slug, command_id="screen", actor=OPERATOR))
        close_phase(app, slug, Phase.SCREENING, "c3")
        app.judging.assign_experts(ContestOrder(slug=slug, command_id="assign", actor=OPERATOR))
        assignments = {ref: experts for judging in app.reads.judgings(spec).values()
                       for ref, experts in judging.assigned.items()}
        population.reviews(spec, entries, assignments, home / "r.csv", seed=1)
        population.record_cards(app, slug, intake_files.review_forms(home / "r.csv", spec.judging.criteria))
        load = Counter(expert for experts in assignments.values() for expert in experts)
        busiest, most = load.most_common(1)[0]
        tokens = {
            "expert": app.credentials.issue(IssueToken(role=Role.EXPERT, id=busiest,
                                                       scope=Scope(contests=(slug,)), actor=OPERATOR)).token,
            "operator": app.credentials.issue(IssueToken(role=Role.FEDERAL_OPERATOR, id="bench-operator",
                                                         actor=OPERATOR)).token,
        }
        return slug, tokens, most
    finally:
        app.close()


def serve(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KONKURS_", "TEMPORAL_"))}
    env.update(KONKURS_HOME=str(home), PERSISTENCE_MODULE="eventsourcing.sqlite",
               SQLITE_DBNAME=str(home / "konkurs.db"))
    process = subprocess.Popen([sys.executable, "-m", "konkurs", "api", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=(home / "api.log").open("wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"konkurs api did not start; see {home / 'api.log'}")


def signed_in(base: str, token: str) -> httpx.Client:
    """A client holding a session cookie, as a browser does after the sign-in form."""
    client = httpx.Client(base_url=base, timeout=30)
    form = client.get("/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', form)
    assert csrf is not None
    answer = client.post("/signin", data={"csrf": csrf.group(1), "token": token})
    if answer.status_code != 303:
        raise SystemExit(f"sign-in failed with {answer.status_code}")
    return client


def latencies(client: httpx.Client, path: str, count: int,
              headers: dict[str, str] | None = None) -> list[float]:
    client.get(path, headers=headers)  # the first load warms the views' catch-up and the templates
    found = []
    for _ in range(count):
        started = time.perf_counter()
        answer = client.get(path, headers=headers)
        found.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}: {answer.text[:300]}")
    return found


def summary(name: str, times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {f"{name}_p50_ms": statistics.median(ordered),
            f"{name}_p95_ms": ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)],
            f"{name}_max_ms": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        print(f"Setting up {args.submissions:,} submissions in judging…", file=sys.stderr)
        slug, tokens, most = contest_in_judging(home, args.submissions)
        port = free_port()
        server = serve(home, port)
        try:
            base = f"http://127.0.0.1:{port}"
            figures: dict[str, float | bool] = {"submissions": args.submissions, "expert_assignments": most}
            expert = signed_in(base, tokens["expert"])
            operator = signed_in(base, tokens["operator"])
            pairs = (("expert_page", expert, f"/expert/{slug}", "expert_api",
                      f"/v1/contests/{slug}/assignments", tokens["expert"]),
                     ("board_page", operator, f"/contests/{slug}/board", "board_api",
                      f"/v1/contests/{slug}/status", tokens["operator"]))
            for page_name, client, page_path, api_name, api_path, token in pairs:
                page = latencies(client, page_path, args.requests)
                api = latencies(client, api_path, args.requests, {"Authorization": f"Bearer {token}"})
                figures |= summary(page_name, page) | summary(api_name, api)
                figures[f"{page_name}_p95_vs_api"] = (figures[f"{page_name}_p95_ms"]
                                                      / figures[f"{api_name}_p95_ms"])
        finally:
            server.terminate()
            server.wait()
    report(figures, args.json)


if __name__ == "__main__":
    main()
