"""The public vote from the CLI: the running tally, the recount, and replication demand."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.phases import Phase
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say, table
from konkurs.cli.view_commands import views
from projections.vote_queries import demand, tally

vote_app = typer.Typer(help="The public vote: tally, recount and replication demand.",
                       no_args_is_help=True)
Slug = Annotated[str, typer.Argument(help="The contest's slug.")]


def register(app: typer.Typer) -> None:
    app.add_typer(vote_app, name="vote")


@vote_app.command("tally")
def show_tally(
    slug: Slug,
    recount: Annotated[bool, typer.Option(
        help="Also recount from the log and check that both agree.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Votes per nomination and practice, refusals by reason, and late ballots."""
    runtime.services().contests.require_reader(runtime.actor(), slug, "read the tally")
    counted = tally(views(), slug)
    agrees = None
    if recount:
        konkurs = runtime.services()
        closed_at = konkurs.store.phase_closed_at(slug, Phase.VOTING) or konkurs.store.head_position()
        recounted = konkurs.results.count(slug, closed_at)
        agrees = (recounted.by_submission, recounted.by_region, recounted.accepted) == (
            counted.by_submission, counted.by_region, counted.accepted)
    if as_json:
        emit_json({**counted.model_dump(mode="json"), "recount_agrees": agrees})
        return
    say(f"[bold]{slug}[/]: {counted.accepted} ballots counted, {counted.late} late, "
        f"{sum(counted.rejected.values())} refused")
    say(table("Votes", ["nomination", "practice", "votes"], [
        (nomination, reference, votes)
        for nomination, practices in counted.by_submission.items()
        for reference, votes in sorted(practices.items(), key=lambda p: -p[1])
    ]))
    if counted.rejected:
        say(table("Refused", ["reason", "ballots"], sorted(counted.rejected.items())))
    if agrees is not None:
        say("Recount from the log agrees with the tally." if agrees
            else "[bold red]The recount from the log differs from the tally.[/]")


@vote_app.command("demand")
def show_demand(
    slug: Slug,
    region: Annotated[str | None, typer.Option(help="One region's code, e.g. 23.")] = None,
    top: Annotated[int, typer.Option(help="Practices shown per nomination.")] = 3,
    as_json: JsonFlag = False,
) -> None:
    """Which practices each region's citizens want, per nomination (replication demand)."""
    found = demand(views(), slug, region, top)
    if as_json:
        emit_json([d.model_dump(mode="json") for d in found])
        return
    for entry in found:
        say(table(f"{entry.region} {entry.name}: {entry.ballots} ballots",
                  ["nomination", "practice", "title", "votes", "share"],
                  [(w.nomination_title, w.reference, w.title, w.votes, f"{w.share:.0%}")
                   for w in entry.wanted], widest=34))
