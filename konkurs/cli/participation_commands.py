"""The participation drive from the CLI: municipal rosters in, the league table and laggards out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from domain.commands.participation import MunicipalReportRow, RecordMunicipalReports, ReportsRecorded
from domain.commands.registry import ImportMunicipalities, RosterImport
from domain.phases import describe_moment
from domain.regions import padded_region
from domain.rules.participation import MunicipalityList
from konkurs.cli import runtime
from konkurs.cli.intake_commands import CsvFile, IgnoreColumns, Slug, _progress, import_app, left_aside
from konkurs.cli.output import JsonFlag, emit_json, say, table
from konkurs.cli.view_commands import views
from konkurs.municipality_files import municipality_rows
from konkurs.tables import read_rows, to_forms
from projections import participation, region_participation
from projections.participation_models import (
    MunicipalReports,
    Participation,
    RegionDetail,
    RegionParticipation,
)
from projections.participation_queries import municipal_reports

REPORT_COLUMNS = ("oktmo", "received")
NAMED_IN_OUTPUT = 20  # municipalities named per region on screen; --json and --region give all


class _ShowByDefault(TyperGroup):
    """`konkurs participation SLUG …` shows the drive; `konkurs participation report …` records."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # click's own Context
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


participation_app = typer.Typer(
    cls=_ShowByDefault, no_args_is_help=True,
    help="The participation drive: `konkurs participation SLUG` shows it; `konkurs participation "
    "report SLUG …` records a municipality's written report.")


def register(app: typer.Typer) -> None:
    import_app.command("municipalities")(import_municipalities)
    import_app.command("reports")(import_reports)
    participation_app.command("show")(show_participation)
    participation_app.command("report")(record_report)
    app.add_typer(participation_app, name="participation")


def import_municipalities(
    file: CsvFile, ignore_column: IgnoreColumns = None, as_json: JsonFlag = False
) -> None:
    """Import municipalities, the reference data the participation drive counts against.

    Columns: oktmo;name;region (OKTMO code of 8 or 11 digits, two-digit region code).

    Each region named in the file gets the file's list as its whole roster.

    Regions the file does not name keep theirs; a region whose list is unchanged writes nothing.

    Once a region has a roster, its submissions must name one of its municipalities (OKTMO code).
    """
    actor = runtime.actor()
    rows = municipality_rows(file, ignore_column or ())
    left_aside(rows.set_aside, as_json)
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


def record_report(
    slug: Slug,
    municipality: Annotated[str, typer.Option(
        "--municipality", help="The municipality's OKTMO code, as on its region's roster.")],
    received: Annotated[str, typer.Option(
        "--received", help="The day the report came in: 2024-09-27 or 27.09.2024.")],
    reference: Annotated[str, typer.Option(
        "--reference", help="The letter's outgoing number, e.g. \"исх. № 12\".")] = "",
    as_json: JsonFlag = False,
) -> None:
    """Record a municipality's written report on the work done.

    The spec's `participation.report_by` asks for it; reviews after that date chase the
    municipalities still missing."""
    rows = to_forms([("--municipality", {"oktmo": municipality, "received": received,
                                         "reference": reference})], dict, MunicipalReportRow)
    _record(slug, rows, as_json)


def import_reports(slug: Slug, file: CsvFile, as_json: JsonFlag = False) -> None:
    """Import municipalities' written reports for a contest's participation drive.

    Columns: oktmo;received;reference (reference optional; received as 2024-09-27 or 27.09.2024).
    """
    rows = to_forms(read_rows(file, REPORT_COLUMNS), _report_row, MunicipalReportRow)
    _record(slug, rows, as_json)


def _report_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"oktmo": row["oktmo"], "received": row["received"], "reference": row.get("reference") or ""}


def _record(slug: str, rows: list[tuple[str, MunicipalReportRow]], as_json: bool) -> None:
    order = RecordMunicipalReports(slug=slug, rows=rows, actor=runtime.actor())
    outcome = runtime.services().participation.record_reports(order)
    if as_json:
        emit_json(outcome)
        return
    say(_recorded(outcome))


def _recorded(outcome: ReportsRecorded) -> str:
    return (f"Recorded {outcome.recorded} municipal report" + ("" if outcome.recorded == 1 else "s")
            + (f" ({', '.join(outcome.regions)})" if outcome.regions else "")
            + (f"; {outcome.unchanged} already recorded" if outcome.unchanged else "") + ".")


def show_participation(
    slug: Slug,
    region: Annotated[str | None, typer.Option(
        "--region", help="One region's municipalities and days, by its two-digit code, e.g. 23.")] = None,
    reports: Annotated[bool, typer.Option(
        "--reports", help="The municipal reports asked for by report_by: received, and still missing "
        "per region.")] = False,
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
    if reports:
        asked = municipal_reports(database, slug)
        if as_json:
            emit_json(asked)
        else:
            print_reports(asked)
        return
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
    kinds = f" ({shown.initiatives} initiatives, {shown.practices} practices)" if shown.initiatives else ""
    say(f"[bold]{shown.slug}[/]: {shown.submissions} submissions{kinds} from "
        f"{sum(1 for r in shown.regions if r.submissions)} regions"
        + ("; no participation targets in the spec" if drive is None else
           f"; {len(lagging)} of {len(shown.regions)} regions below target"
           + ("" if drive.target.counts == "submissions" else f" (targets count {drive.target.counts})")))
    # Initiatives and practices apart only where the spec has initiatives: otherwise every
    # submission is a practice (the default kind) and the columns would repeat the count.
    apart = shown.initiatives > 0
    say(table("Participation by region", [
        "#", "code", "region", "submissions", *(("initiatives", "practices") if apart else ()),
        "target", "% of target", "municipalities", "",
    ], [_league_row(r, apart) for r in shown.regions], widest=36))
    print_reviews(shown)


def _league_row(region: RegionParticipation, apart: bool) -> Sequence[object]:
    municipalities = (f"{region.taking_part} / {region.municipalities}" if region.municipalities
                      else str(region.taking_part) if region.taking_part else "")
    kinds = (region.initiatives, region.practices) if apart else ()
    return (region.rank, region.code, region.name, region.submissions, *kinds, region.target,
            region.percent_of_target, municipalities, "▼ lagging" if region.lagging else "")


def print_reviews(shown: Participation) -> None:
    if not shown.reviews:
        say("No participation review recorded yet.")
        return
    say(table("Reviews recorded (Contest.ParticipationReviewed)",
              ["moment", "submissions", "below target", "furthest behind", "report by"], [
        (describe_moment(r.moment), r.submissions, len(r.laggards),
         ", ".join(f"{lag.name} {lag.counted}/{lag.target}" for lag in r.laggards[:3]),
         "" if r.report_by is None else describe_moment(r.report_by))
        for r in shown.reviews
    ], widest=38))
    latest = shown.reviews[-1]
    for lag in latest.laggards:
        if lag.silent is not None and lag.silent.count:
            say(f"{lag.name} ({lag.code}): {_municipalities(lag.silent, 'with nothing posted')}")
    for missing in latest.missing_reports or ():
        say(f"{missing.name} ({missing.region}): reports missing from {_municipalities(missing, '')}")


def _municipalities(found: MunicipalityList, what: str) -> str:
    """A count and the first names: a region of 2,000 would fill the screen."""
    names = ", ".join(f"{m.name} ({m.oktmo})" for m in found.named[:NAMED_IN_OUTPUT])
    more = found.count - min(len(found.named), NAMED_IN_OUTPUT)
    return (f"{found.count} municipalities {what}".replace("  ", " ").rstrip() + f": {names}"
            + (f" and {more} more" if more else ""))


def print_reports(asked: MunicipalReports) -> None:
    if asked.report_by is None:
        say(f"[bold]{asked.slug}[/]: no review has carried a report date yet; no report is asked for.")
        return
    say(f"[bold]{asked.slug}[/]: reports due by {describe_moment(asked.report_by)} from "
        f"the municipalities of {len(asked.regions)} lagging region(s); {asked.missing} still missing")
    for region in asked.regions:
        late = sum(1 for report in region.received if report.late)
        say(f"{region.name} ({region.code}): {len(region.received)} of {region.asked} received"
            + (f", {late} late" if late else "") + f"; {len(region.missing)} missing")
        say(table(f"Reports missing — {region.name}", ["OKTMO", "municipality"],
                  [(m.oktmo, m.name) for m in region.missing], widest=60))
    if asked.unasked:
        say(f"{len(asked.unasked)} reports came from municipalities of regions not asked.")


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


def show_outcome(slug: str, as_json: bool) -> None:
    """`konkurs results` for a contest with no judging and no vote: its participation record."""
    shown = participation(views(), slug)
    if as_json:
        emit_json({"slug": slug, "judged": False, "voted": False, "outcome": "participation",
                   "participation": shown.model_dump(mode="json")})
        return
    say(f"{slug} has no judging and no vote: no places are awarded; its outcome is the "
        "participation record below.")
    print_league(shown)
