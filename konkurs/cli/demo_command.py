"""`konkurs demo`: what `make demo` runs."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from domain.errors import KonkursError
from domain.spec import ContestSpec
from konkurs.bootstrap import Bootstrap
from konkurs.cli.output import JsonFlag, emit_json, fail, say, table
from konkurs.cli.view_commands import print_results, print_vote
from konkurs.demo import DemoRun
from konkurs.demo_steps import Engine
from konkurs.record_check import verify_record
from projections import ViewsDB, catch_up, default_views, participation, results
from projections.vote_queries import demand

if TYPE_CHECKING:
    from konkurs.demo_outputs import HandedOn
    from konkurs.demo_serve import Person


def example_spec(name: str) -> Path:
    """An example as installed with the package (`share/konkurs/examples`), else from the checkout
    the package runs from (an editable install): never relative to the current directory."""
    places = (Path(sys.prefix) / "share" / "konkurs" / "examples", CHECKOUT / "examples")
    for folder in places:
        if (folder / name).is_file():
            return folder / name
    raise KonkursError(f"example {name} is not installed (looked in {' and '.join(map(str, places))}); "
                       "give the spec with --spec FILE")


CHECKOUT = Path(__file__).resolve().parents[2]


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    spec: Annotated[Path | None, typer.Option(
        help="The seed contest to run.",
        show_default="examples/smart-dialog-2023.yaml")] = None,
    home: Annotated[Path, typer.Option(help="Demo home; wiped at start.")] = Path(".konkurs-demo"),
    seed: Annotated[int, typer.Option(help="Seed of the generated population.")] = 2023,
    kill_worker_during_judging: Annotated[bool, typer.Option(
        help="SIGKILL the worker while judging closes, start a new one, and finish anyway.")] = False,
    outputs: Annotated[bool, typer.Option(
        help="At the end, write the spreadsheets, the protocols (HTML, PDF) and the public site "
             "under HOME/outputs.")] = True,
    serve: Annotated[bool, typer.Option(
        help="Then keep the engine running with sandbox contests in collection, judging and voting, "
             "serve the pages and print one credential per role to try them; Ctrl-C stops.")] = False,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the pages with --serve.")] = 8000,
    as_json: JsonFlag = False,
) -> None:
    """Run Smart Dialog 2023 end to end: an embedded server, a worker, 300+ submissions from
    all 89 regions, expert reviews and a public vote; then print winners and participation, and
    write what the ministry hands on: spreadsheets, protocols and the public results site.
    With --serve, go on serving the pages over sandbox contests until Ctrl-C."""
    started = time.monotonic()
    if serve and as_json:
        fail("--serve prints a table for people to read; leave out --json")
        raise typer.Exit(2)
    # The outputs and the pages load spreadsheets, charts and the web app: only when asked, so that
    # every other command starts without them.
    from konkurs import demo_serve

    if serve and not demo_serve.port_is_free(port):
        fail(f"port {port} is taken: give a free one with --port")
        raise typer.Exit(2)
    spec = spec or example_spec("smart-dialog-2023.yaml")
    home = home.resolve()
    run = DemoRun(spec_path=spec, home=home, seed=seed,
                  kill_worker_in_judging=kill_worker_during_judging,
                  say=(lambda _: None) if as_json else say)
    if not serve:
        report(run, asyncio.run(run.run()), outputs, as_json, started)
        return

    async def then_serve(engine: Engine, contest: ContestSpec) -> None:
        report(run, contest, outputs, as_json, started)
        await demo_serve.serve(engine, contest, seed, port, say=say_now, show=print_people)

    asyncio.run(run.run(then_serve))


def report(run: DemoRun, contest: ContestSpec, outputs: bool, as_json: bool, started: float) -> None:
    """Winners, the vote, participation, the audit and what is handed on, for people or as JSON."""
    home = run.home
    settings = run.settings
    konkurs = Bootstrap(settings).services
    database = ViewsDB(settings.views_path)
    catch_up(konkurs.store, database, default_views())
    outcome = results(database, contest.slug)
    regions = participation(database, contest.slug)
    signed = konkurs.checkpoints.publish("the demo's end")
    verdict = verify_record(konkurs, settings.views_path, [contest.slug],
                            checkpoints=str(settings.checkpoints_path))
    broken, [audit], chain_head = verdict.broken, verdict.audits, verdict.head
    handed_on = None
    if outputs:
        if not as_json:
            say(f"Writing the spreadsheets, the protocols and the public site under {home / 'outputs'} …")
        from konkurs.demo_outputs import hand_on

        handed_on = hand_on(konkurs, database, contest.slug, home / "outputs")
    elapsed = time.monotonic() - started
    if as_json:
        emit_json({"results": outcome.model_dump(mode="json"),
                   "participation": regions.model_dump(mode="json"),
                   "audit": {"intact": broken is None, "holds": verdict.holds,
                             "signed_head": signed.model_dump(mode="json"),
                             "head": {"position": chain_head.position, "link": chain_head.hex},
                             "checks": [c.model_dump(mode="json") for c in audit.checks]},
                   "outputs": handed_on.as_json() if handed_on else None,
                   "seconds": round(elapsed, 1)})
        return
    print_results(outcome)
    tallied = konkurs.store.get_contest(contest.slug).tally
    if tallied is not None:
        print_vote(tallied)
    for wanted in demand(database, contest.slug, region="23", top=1):
        say(table(f"Replication demand of {wanted.name}: what its {wanted.ballots} voters want",
                  ["nomination", "practice", "votes", "share"],
                  [(w.nomination_title, w.reference, w.votes, f"{w.share:.0%}") for w in wanted.wanted],
                  widest=40))
    say(table(f"Participation by region ({regions.submissions} submissions)",
              ["code", "region", "submissions", "admitted"],
              [(r.code, r.name, r.submissions, r.admitted) for r in regions.regions]))
    recomputed = sum(c.recomputed for c in audit.checks)
    found = ("every result recomputes from the log, every entry is covered by a signed acceptance, "
             "the views agree and the log extends every signed head" if verdict.holds
             else f"DIFFERENCES FOUND: {verdict.first_finding()}; run `konkurs audit verify`")
    say(f"Audit: chain of {chain_head.position} events intact: {broken is None}; "
        f"{recomputed} decisions recomputed: {found}.")
    say(f"Signed head to publish: position {signed.position}, link {signed.link}, signature "
        f"{signed.signature[:16]}… by key {signed.public_key} (in {settings.checkpoints_path})")
    if handed_on is not None:
        print_handed_on(handed_on, home / "outputs")
    say(f"Demo finished in {elapsed:.1f}s. Inspect it with "
        f"`KONKURS_HOME={home} konkurs status {contest.slug}`.")


def print_handed_on(handed_on: HandedOn, folder: Path) -> None:
    pdfs = [p for p in handed_on.protocols if p.suffix == ".pdf"]
    site_pages = sorted(handed_on.site.glob("*.html")) if handed_on.site else []
    say(table(f"What the ministry hands on ({folder})", ["what", "files", "where"], [
        ("spreadsheets (CSV, XLSX), the vote in pabulib format", len(handed_on.exports), folder / "exports"),
        ("the working groups' protocols (HTML, PDF)", len(handed_on.protocols), folder / "protocols"),
        ("the public results site: open index.html", len(site_pages), handed_on.site),
    ], widest=70))
    for line in handed_on.missing:
        say(f"[yellow]Not written:[/] {line}")
    if pdfs:
        say(f"First protocol: {pdfs[0]}")


def print_people(address: str, people: list[Person]) -> None:
    """One row per role; the address and the credential each on a line of their own, whole, so
    they can be copied."""
    grid = Table(title=f"Try the pages at {address}: one person per role (tokens go in {address}/signin)",
                 title_justify="left", header_style="bold", show_lines=True)
    grid.add_column("role", no_wrap=True)
    grid.add_column("who, what to try, and the credential", overflow="fold")
    for person in people:
        grid.add_row(person.role, f"{person.who}\n{address}{person.try_at}\n{person.credential}")
    say(grid)
    say(f"The test provider's page (sign in at {address}/signin/oidc) offers each of them as a button.")


def say_now(message: str) -> None:
    """Say it and flush: whoever waits on a pipe for the address sees it at once."""
    say(message)
    sys.stdout.flush()
