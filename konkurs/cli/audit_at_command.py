"""`konkurs audit at`: a contest as it stood at a log position or at a moment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from domain.errors import InputFileError
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say, schedule_table, table
from services.time_travel import ContestAt

Slug = Annotated[str, typer.Argument(help="The contest's slug, as in its spec.")]
Time = Annotated[str | None, typer.Option(
    "--time", metavar="T",
    help="A date (2023-06-30: the end of that day) or an ISO time (2023-06-30T18:00, offset "
         "optional); without an offset it is read in the contest's timezone.")]
Position = Annotated[int | None, typer.Option(
    "--position", metavar="N", help="A log position, as `konkurs audit head` or `konkurs events` show it.")]


def register(audit_app: typer.Typer) -> None:
    audit_app.command("at")(audit_at)


def audit_at(slug: Slug, time: Time = None, position: Position = None, as_json: JsonFlag = False) -> None:
    """Show a contest as it stood at a moment or a log position; nothing recorded later counts.

    It shows the phase, the deadlines as extended so far, submissions, screening, cards, ballots,
    and the rankings, tally and winners recorded by then.

    A moment maps to the last event recorded by then; the header names that position, so a
    colleague can check the very same state with --position.

    Give exactly one of --time and --position. Smart Dialog at the end of 18 June, Moscow time:

        konkurs audit at smart-dialog-2023 --time 2023-06-18
    """
    if (time is None) == (position is None):
        raise InputFileError("give exactly one of --time T or --position N")
    konkurs = runtime.services()
    spec = konkurs.store.get_contest(slug).spec
    if time is not None:
        found = konkurs.time_travel.contest_as_of(slug, runtime.parse_moment(time, spec, "--time"))
    else:
        assert position is not None
        found = konkurs.time_travel.contest_at(slug, position)
    if as_json:
        emit_json(found)
        return
    _show(found, ZoneInfo(spec.timezone))




def _show(at: ContestAt, zone: ZoneInfo) -> None:
    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).isoformat(sep=" ", timespec="milliseconds") if moment else "-"

    asked = f" (asked for {local(at.asked)})" if at.asked else ""
    say(f"[bold]{at.slug}[/] at position {at.position}, recorded {local(at.moment)}{asked}: "
        f"phase [bold]{at.phase.value}[/]")
    if at.last_change:
        by = at.last_change_by.describe() if at.last_change_by else "an actor not recorded"
        say(f"Last change to the contest: {at.last_change}, by {by}")
    counts = at.submissions
    unscreened = "not screened yet"
    say(table("Recorded by then", ["what", "count"], [
        ("submissions received", counts.submitted), ("withdrawn", counts.withdrawn),
        ("admitted", unscreened if counts.admitted is None else counts.admitted),
        ("rejected", unscreened if counts.rejected is None else counts.rejected),
        ("expert cards", at.expert_cards), ("ballots accepted", at.ballots),
    ]))
    say(schedule_table("Deadlines then", at.deadlines))
    for ranking in at.rankings:
        say(table(f"Ranking {ranking.nomination}", ["place", "reference", "score", "settled by"],
                  [(e.place, e.reference, e.score, e.settled_by) for e in ranking.entries]))
    if not at.rankings:
        say("No ranking recorded yet.")
    if at.votes is not None:
        say(table("Votes tallied", ["nomination", "practice", "votes"], [
            (nomination, reference, votes) for nomination, practices in at.votes.items()
            for reference, votes in sorted(practices.items(), key=lambda p: -p[1])]))
    if at.results is not None:
        state = "published" if at.published else "declared, not yet published"
        say(table(f"Winners ({state})", ["nomination", "place", "reference", "score", "votes"],
                  [(w.nomination, w.place, w.reference, w.score, w.votes) for w in at.results.winners]))
