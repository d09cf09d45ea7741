"""The participation drive from the CLI: municipal rosters in, the league table and laggards out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from domain.commands.registry import ImportMunicipalities, RosterImport
from domain.phases import describe_moment
from domain.regions import padded_region
from konkurs.cli import runtime
from konkurs.cli.intake_commands import CsvFile, Slug, _progress, import_app
from konkurs.cli.output import JsonFlag, emit_json, say, table
from konkurs.cli.view_commands import views
from konkurs.municipality_files import municipality_rows
from projections import participation, region_participation
from projections.participation_models import Participation, RegionDetail, RegionParticipation


def register(app: typer.Typer) -> None:
    import_app.command("municipalities")(import_municipalities)
    app.command("participation")(show_participation)


def import_municipalities(file: CsvFile, as_json: JsonFlag = False) -> None:
    """Import municipalities, the reference data the participation drive counts against.

    Columns: oktmo;name;region (OKTMO code of 8 or 11 digits, two-digit region code).

    Each region named in the file gets the file's list as its whole roster.

    Regions the file does not name keep theirs; a region whose list is unchanged writes nothing.

    Once a region has a roster, its submissions must name one of its municipalities (OKTMO code).
    """
    actor = runtime.actor()
    rows = municipality_rows(file)
    konkurs = runtime.services()
    with _progress(as_json) as progress:
        progress.add_task(f"checking {len(rows):,} municipalities", total=None)
        outcome = konkurs.participation.import_municipalities(ImportMunicipalities(rows=rows, actor=actor))
    if as_json:
        emit_json(outcome)
        return
    say(_imported(outcome))


def _imported(outcome: RosterImport) -> str:
    unchanged = outcome.regions - len(outcome.written)
    regions = f"{outcome.regions} region" + ("" if outcome.regions == 1 else "s")
    return (f"Read {outcome.municipalities} municipalities of {regions}: "
            f"{len(outcome.written)} rosters written, {unchanged} unchanged.")


def show_participation(
    slug: Slug,
    region: Annotated[str | None, typer.Option(
        "--region", help="One region's municipalities and days, by its two-digit code, e.g. 23.")] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help="Also draw the league as a bar chart with each target marked: FILE.png or "
        "FILE.svg.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show the participation drive: each region's submissions against its target, most first.

    Regions below target are marked as lagging; the reviews recorded so far are listed last.

    `--region` lists one region's municipalities, those with nothing posted yet first.

    Targets come from the spec's `participation` section.

    A target per 100 municipalities needs the region's roster: `konkurs import municipalities`.
    """
    database = views()
    shown = participation(database, slug)
    code = None if region is None else str(padded_region(region))
    detail = None if code is None else region_participation(database, slug, code)
    if chart is not None:
        from konkurs.participation_chart import draw_league

        draw_league(shown, chart, highlight=code)
    if as_json:
        emit_json({**(detail or shown).model_dump(mode="json"),
                   "lagging": [r.code for r in shown.lagging],
                   "chart": None if chart is None else str(chart)})
        return
    if detail is not None:
        print_region(detail)
    else:
        print_league(shown)
    if chart is not None:
        say(f"Chart written to {chart}")


def print_league(shown: Participation) -> None:
    drive = shown.drive
    lagging = shown.lagging
    say(f"[bold]{shown.slug}[/]: {shown.submissions} submissions from "
        f"{sum(1 for r in shown.regions if r.submissions)} regions"
        + ("; no participation targets in the spec" if drive is None else
           f"; {len(lagging)} of {len(shown.regions)} regions below target"))
    say(table("Participation by region", [
        "#", "code", "region", "submissions", "target", "% of target", "municipalities", "",
    ], [_league_row(r) for r in shown.regions], widest=36))
    print_reviews(shown)


def _league_row(region: RegionParticipation) -> Sequence[object]:
    municipalities = (f"{region.taking_part} / {region.municipalities}" if region.municipalities
                      else str(region.taking_part) if region.taking_part else "")
    return (region.rank, region.code, region.name, region.submissions, region.target,
            region.percent_of_target, municipalities, "▼ lagging" if region.lagging else "")


def print_reviews(shown: Participation) -> None:
    if not shown.reviews:
        say("No participation review recorded yet.")
        return
    say(table("Reviews recorded (Contest.ParticipationReviewed)",
              ["moment", "submissions", "below target", "furthest behind", "report by"], [
        (describe_moment(r.moment), r.submissions, len(r.laggards),
         ", ".join(f"{lag.name} {lag.submissions}/{lag.target}" for lag in r.laggards[:3]),
         "" if r.report_by is None else describe_moment(r.report_by))
        for r in shown.reviews
    ], widest=38))


def print_region(detail: RegionDetail) -> None:
    line = detail.region
    target = "no target" if line.target is None else f"target {line.target}"
    say(f"[bold]{line.name}[/] ({line.code}): {line.submissions} submissions, {target}"
        + (" — [bold red]below target[/]" if line.lagging else "")
        + f"; rank {line.rank}; {line.taking_part} municipalities taking part"
        + (f" of {line.municipalities} on the roster" if line.municipalities else ""))
    rows = sorted(detail.municipalities, key=lambda m: (m.submissions > 0, -m.submissions, m.name or ""))
    say(table("Municipalities (none yet first)", ["OKTMO", "municipality", "submissions"],
              [(m.oktmo, m.name or "(not on the roster)", m.submissions) for m in rows], widest=60))
    if detail.unnamed:
        say(f"{detail.unnamed} submissions name no municipality.")
    say(table("Submissions per day", ["day", "submissions", "total"],
              [(d.day.isoformat(), d.submissions, d.total) for d in detail.days]))
