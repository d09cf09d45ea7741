"""The public vote from the CLI: the running tally, the recount, and replication demand."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.audit.models import Difference
from domain.phases import Phase
from domain.rules.tally import demand_by_practice
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, fail, say, table
from konkurs.cli.view_commands import views
from konkurs.cli.vote_outcome import print_demand
from projections.models import Tally
from projections.view_audit import recount_differences, tally_as_read
from projections.vote_queries import demand

vote_app = typer.Typer(help="The public vote: tally, recount and replication demand.",
                       no_args_is_help=True)
Slug = Annotated[str, typer.Argument(help="The contest's slug.")]


def register(app: typer.Typer) -> None:
    app.add_typer(vote_app, name="vote")


@vote_app.command("tally")
def show_tally(
    slug: Slug,
    recount: Annotated[bool, typer.Option(
        help="Also recount from the log, as of the position the view has read to, and check that "
             "both agree; exit 1 when they differ.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Votes per nomination and practice, refusals by reason, late ballots, and per practice the
    regions whose citizens want it most (--json: every region).

    With --recount, a view that differs from the recount exits 1 with one line on stderr naming
    the first difference: what the view shows and what the recount gives.
    """
    runtime.services().contests.require_reader(runtime.actor(), slug, "read the tally")
    counted, read_to = tally_as_read(views(), slug)
    found = _recount(slug, counted, read_to) if recount else None
    if as_json:
        emit_json({**counted.model_dump(mode="json"), "demand": demand_by_practice(counted.by_region),
                   "recount_agrees": None if found is None else not found})
    else:
        _print_tally(slug, counted, found)
    if found:
        first, more = found[0], f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        fail(f"{slug}: the tally view differs from the recount from the log: {first.where}: the view "
             f"shows {first.recorded or 'nothing'}, the recount gives {first.recomputed or 'nothing'}{more}")
        raise typer.Exit(1)


def _recount(slug: str, counted: Tally, read_to: int) -> list[Difference]:
    """Recounted only as far as the view has read, so ballots recorded since differ in nothing."""
    konkurs = runtime.services()
    closed_at = konkurs.store.phase_closed_at(slug, Phase.VOTING) or read_to
    return recount_differences(counted, konkurs.results.count(slug, closed_at, stop=read_to))


def _print_tally(slug: str, counted: Tally, found: list[Difference] | None) -> None:
    say(f"[bold]{slug}[/]: {counted.accepted} ballots counted, {counted.late} late, "
        f"{sum(counted.rejected.values())} refused")
    say(table("Votes", ["nomination", "practice", "votes"], [
        (nomination, reference, votes)
        for nomination, practices in counted.by_submission.items()
        for reference, votes in sorted(practices.items(), key=lambda p: -p[1])
    ]))
    if counted.rejected:
        say(table("Refused", ["reason", "ballots"], sorted(counted.rejected.items())))
    print_demand(counted.by_region)
    if found == []:
        say("Recount from the log agrees with the tally.")


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
