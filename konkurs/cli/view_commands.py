"""Read-side commands: everything here reads the projections, brought up to date first."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from domain.outcomes import VoteTally
from domain.phases import describe_deadline
from domain.rules.tally import demand_by_practice
from konkurs.cli import runtime
from konkurs.cli.event_commands import stop_on_signals
from konkurs.cli.output import JsonFlag, console, emit_json, say, table
from konkurs.cli.vote_outcome import no_winner_reasons, print_demand, print_no_winners, print_review_gaps
from projections import ViewsDB, board, catch_up, default_views, follow, list_contests, rebuild, results
from projections.models import Board, Entry, Results
from projections.pg_runner import listen
from projections.stage_queries import StageLink, stage_links

Slug = Annotated[str, typer.Argument(help="The contest's slug.")]

projections_app = typer.Typer(help="Maintain the read models (views) built from the log.",
                              no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("contests")(contests)
    app.command("status")(status)
    app.command("results")(show_results)
    app.add_typer(projections_app, name="projections")


def views() -> ViewsDB:
    """The views database, caught up with the log before anyone reads it."""
    database = ViewsDB(runtime.settings().views_path)
    catch_up(runtime.services().store, database, default_views())
    return database


def contests(as_json: JsonFlag = False) -> None:
    """List announced contests with their phase and intake counts."""
    found = list_contests(views())
    if as_json:
        emit_json([c.model_dump(mode="json") for c in found])
        return
    if not found:
        say("No contests yet. Announce one with `konkurs announce examples/smart-dialog-2023.yaml`.")
        return
    say(table("Contests", ["slug", "phase", "submissions", "admitted", "reviews", "ballots"],
              [(c.slug, c.phase, c.submissions, c.admitted, c.reviews, c.ballots) for c in found]))


def status(
    slug: Slug,
    every_rejection: Annotated[bool, typer.Option(
        "--all", help=f"List every rejected submission, not only the first {NAMED_AT_MOST}.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show a contest's board: phase, deadlines, submissions filed, screened and in drafts, each
    rejected submission with its reason, counts by nomination and by region; for a federal stage,
    which regional stages have promoted, which were refused and why, and which it still waits for."""
    runtime.services().contests.require_reader(runtime.actor(), slug, "read the board")
    database = views()
    shown = board(database, slug)
    links = stage_links(database, slug)
    if as_json:
        emit_json({**shown.model_dump(mode="json"), "stages": [s.model_dump() for s in links]})
        return
    print_board(shown)
    print_rejections(shown, every_rejection)
    print_stages(slug, links)


NAMED_AT_MOST = 12  # regions named in the status line; more would be a wall of text


def print_stages(slug: str, links: list[StageLink]) -> None:
    regional = [link for link in links if link.federal == slug]
    if regional:
        say(table("Regional stages", ["stage", "region", "phase", "promotion"],
                  [(s.stage, s.region_name or s.region or "", s.phase or "not announced",
                    _promotion(s)) for s in regional]))
        if all(s.status == "promoted" for s in regional):
            say("Every regional stage has promoted.")
        unsettled = [s for s in regional if s.status in ("refused", "disputed")]
        for link in unsettled[:NAMED_AT_MOST]:
            say(f"Not promoted, {link.status}: {link.region_name or link.stage}: {link.reason}")
        if len(unsettled) > NAMED_AT_MOST:
            say(f"… and {len(unsettled) - NAMED_AT_MOST} more refused or disputed (table above)")
        waiting = [s.region_name or s.stage for s in regional if s.status == "waiting"]
        if waiting and len(waiting) <= NAMED_AT_MOST:
            say(f"Not promoted yet: {', '.join(waiting)}")
        elif waiting:
            say(f"Not promoted yet: {len(waiting)} of {len(regional)} regional stages (table above)")
    for link in links:
        if link.stage == slug:
            say(f"Promotion to [bold]{link.federal}[/]: {_promotion(link)}")


def _promotion(link: StageLink) -> str:
    if link.status == "promoted":
        return f"{link.promoted} promoted"
    return f"{link.status}: {link.reason}" if link.reason else link.status


def print_board(shown: Board) -> None:
    say(f"[bold]{shown.title}[/] ({shown.slug}) — phase [bold]{shown.phase}[/]"
        + (f", cancelled: {shown.cancelled_reason}" if shown.cancelled_reason else ""))
    say(f"Submissions {shown.submissions} filed, {shown.screened} screened (admitted {shown.admitted}, "
        f"rejected {shown.rejected}), {shown.drafts} in drafts; reviews {shown.reviews}, "
        f"ballots {shown.ballots}")
    say(table("Deadlines", ["phase", "open", "extensions"],
              [(d.phase, describe_deadline(d.closes_at), d.extensions) for d in shown.deadlines]))
    say(table("By nomination", ["nomination", "title", "submissions", "admitted"],
              [(n.code, n.title, n.submissions, n.admitted) for n in shown.by_nomination]))
    say(table("By region", ["code", "region", "submissions", "admitted"],
              [(r.code, r.name, r.submissions, r.admitted) for r in shown.by_region]))


def print_rejections(shown: Board, every: bool) -> None:
    listed = shown.rejections if every else shown.rejections[:NAMED_AT_MOST]
    if listed:
        say(table(f"Rejected ({len(shown.rejections)})", ["reference", "reason"],
                  [(r.reference, r.reason or "") for r in listed], widest=90))
    if len(listed) < len(shown.rejections):
        say(f"… and {len(shown.rejections) - len(listed)} more rejected: `konkurs status {shown.slug} --all`")


def show_results(slug: Slug, as_json: JsonFlag = False) -> None:
    """Show the ranking per nomination, the winners and the people's choice (when the spec has
    one), the submissions short of reviews, why a nomination has no winner, and the vote's count
    with its refusals, its demand by region and the anomalies an operator should look at."""
    database = views()
    shown = results(database, slug)
    contest = runtime.services().store.get_contest(slug)
    if not (contest.spec.judging.enabled or contest.spec.voting.enabled):
        from konkurs.cli.participation_commands import show_outcome  # it imports this module

        show_outcome(slug, as_json)
        return
    tallied = contest.tally
    reasons = no_winner_reasons(shown, board(database, slug).by_nomination, contest.spec)
    if as_json:
        emit_json({**shown.model_dump(mode="json"), "no_winner": reasons,
                   "vote": tallied.model_dump(mode="json", exclude={"by_region"}) if tallied else None,
                   "demand": demand_by_practice(tallied.by_region) if tallied else None})
        return
    print_results(shown)
    print_no_winners(shown, reasons)
    if tallied is not None:
        print_vote(tallied)


def print_results(shown: Results) -> None:
    state = "published" if shown.published else "declared" if shown.declared else (
        "expert ranking only" if shown.judged else "not judged yet")
    say(f"[bold]{shown.title}[/] — results {state}")
    flagged = {(n.code, r.reference) for n in shown.nominations for r in n.ranking if r.disagreement}
    rows: list[tuple[object, ...]] = [
        (n.title, w.place, w.reference, w.region_name, w.applicant, w.score, w.votes,
         "spread" if (n.code, w.reference) in flagged else "", w.nominee or "", _origin(w))
        for n in shown.nominations for w in n.winners
    ]
    if not rows:
        rows = [(n.title, r.place, r.reference, r.region_name, r.applicant, r.score, None,
                 "spread" if r.disagreement else "", r.nominee or "", _origin(r))
                for n in shown.nominations for r in n.ranking[:3]]
    columns = ["nomination", "place", "reference", "region", "applicant", "score", "votes", "flag",
               "nominee", "promoted from"]
    shown_only_when_any = {"nominee", "promoted from"}
    kept = [i for i, name in enumerate(columns)
            if name not in shown_only_when_any or any(row[i] for row in rows)]
    columns, rows = [columns[i] for i in kept], [tuple(row[i] for i in kept) for row in rows]
    say(table("Winners" if shown.declared else "Expert ranking (top 3)", columns, rows, widest=26))
    choice = [(n.title, p.reference, p.region_name, p.applicant, p.votes)
              for n in shown.nominations for p in n.people_choice]
    if choice:
        say(table("People's choice (most votes)", ["nomination", "reference", "region", "applicant",
                                                   "votes"], choice, widest=26))
    if shown.sealed_head:
        say(f"Published at chain position {shown.sealed_position}, chain head {shown.sealed_head}: "
            "check it with `konkurs audit verify`")
    if shown.judged:
        print_judging_quality(shown)
        print_review_gaps(shown)


def _origin(entry: Entry) -> str:
    """Where a promoted submission comes from: its stage, its place and score there."""
    origin = entry.provenance
    if origin is None:
        return ""
    return f"{origin.stage}: place {origin.place}, score {origin.score:.2f}"


def print_vote(tallied: VoteTally) -> None:
    refused = sum(tallied.rejected.values())
    say(f"Vote: {tallied.accepted} ballots counted, {refused} refused, {tallied.late} late"
        + "".join(f"; {reason}: {count}" for reason, count in tallied.rejected.items()))
    if tallied.anomalies:
        say(table("Anomalies to judge (reported, nothing removed)",
                  ["kind", "minute (UTC)", "region", "ballots", "usual"],
                  [(a.kind, a.minute, a.region or "", a.ballots, round(a.usual, 1))
                   for a in tallied.anomalies[:20]]))
    print_demand(tallied.by_region)


def print_judging_quality(shown: Results) -> None:
    """Agreement per nomination, flagged disagreements, and the most lenient and strict experts."""
    say(table(f"Judging quality ({shown.normalisation} scores)",
              ["nomination", "alpha", "disagreements", "under-reviewed"], [
        (n.title, "—" if n.agreement is None else f"{n.agreement:.2f}",
         sum(r.disagreement for r in n.ranking), len(n.under_reviewed))
        for n in shown.nominations
    ], widest=40))
    by_offset = sorted(shown.leniency.items(), key=lambda item: item[1])
    extremes = by_offset[-5:][::-1] + [item for item in by_offset[:5] if item not in by_offset[-5:]]
    say(table("Leniency vs colleagues (of 100)",
              ["expert", "offset"], [(expert, round(offset, 1)) for expert, offset in extremes]))


@projections_app.command("rebuild")
def rebuild_views(as_json: JsonFlag = False) -> None:
    """Drop every view and rebuild it from position 0 of the log; the content comes out the same."""
    database = ViewsDB(runtime.settings().views_path)
    with Progress(SpinnerColumn(), TextColumn("rebuilding views"), console=console, transient=True,
                  disable=as_json or not console.is_terminal):
        applied = rebuild(runtime.services().store, database, default_views())
    if as_json:
        emit_json({"applied": applied, "positions": database.positions()})
    else:
        say(f"Rebuilt {len(default_views())} views from {applied} events; positions "
            f"{database.positions()}")


@projections_app.command("run")
def run_views(
    interval: float = typer.Option(0.5, min=0.01, help="SQLite only: seconds between polls of the log."),
) -> None:
    """Keep the views up to date until stopped (Ctrl-C or SIGTERM): on PostgreSQL the library's
    projection runner applies each event within milliseconds of its commit (LISTEN/NOTIFY); SQLite
    cannot announce, so there the log is polled every --interval seconds. Read commands catch up
    by themselves; run this for dashboards that read views.db, and so reads find nothing to do."""
    settings = runtime.settings()
    database = ViewsDB(settings.views_path)
    store = runtime.services().store
    with stop_on_signals() as stop:
        if settings.uses_postgres:
            say("Applying events as PostgreSQL announces them (LISTEN/NOTIFY); Ctrl-C to stop.")
            listen(store, database, default_views(), stop)
        else:
            say(f"Polling the log every {interval:g} s; Ctrl-C to stop.")
            follow(store, database, default_views(), interval, stop)
    store.close()
    say(f"Stopped at positions {database.positions()}")
