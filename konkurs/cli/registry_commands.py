"""Registries from the CLI: `konkurs import registry` and `konkurs registry show`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from domain.aggregates.registry import padded_inn
from domain.commands.registry import ImportRegistry, RegistryImport
from konkurs import intake_files
from konkurs.cli import runtime
from konkurs.cli.intake_commands import CsvFile, IgnoreColumns, _progress, import_app, left_aside
from konkurs.cli.output import JsonFlag, emit_json, say, table
from services.konkurs import Konkurs
from services.registry import membership

T = TypeVar("T")

RegistryName = Annotated[str, typer.Argument(
    help="The registry's name, as a spec's `eligibility.registry` names it, e.g. "
    "social-service-providers.")]

registry_app = typer.Typer(
    help="Registries that screening checks applicants against, by INN, on the day they submitted.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    import_app.command("registry")(import_registry)
    app.add_typer(registry_app, name="registry")


def import_registry(
    name: RegistryName, file: CsvFile, ignore_column: IgnoreColumns = None, as_json: JsonFlag = False
) -> None:
    """Import a registry of organisations, e.g. the registry of social-service providers.

    Columns: inn;name;region;entered_on[;removed_on]; dates as 2025-03-01 or 01.03.2025.
    Other columns of the export are left aside.

    An organisation is a member from entered_on up to, but not including, removed_on.

    Import the whole registry each time: unchanged rows write nothing, changed ones are revisions.

    Import it before collection closes: screening checks applicants against it then.
    """
    actor = runtime.actor()
    rows = intake_files.registry_rows(file, ignore_column or ())
    left_aside(rows.set_aside, as_json)
    konkurs = runtime.services()
    with _progress(as_json) as progress:
        progress.add_task(f"comparing {len(rows):,} rows with the registry", total=None)
        outcome = konkurs.registry.import_registry(ImportRegistry(registry=name, rows=rows, actor=actor))
    if as_json:
        emit_json(outcome)
        return
    say(f"Registry {name}: {outcome.rows} rows read from {file}")
    say(_import_table(outcome))


def _import_table(outcome: RegistryImport) -> Table:
    rows = [("entered (new)", outcome.entered), ("revised", outcome.revised),
            ("unchanged", outcome.unchanged), ("kept, not in this file", outcome.not_in_file)]
    return table("What the import did", ["entries", "count"], rows)


@registry_app.command("show")
def show(
    name: RegistryName,
    inn: Annotated[str | None, typer.Option(help="Show one organisation's entry.")] = None,
    on: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d", "%d.%m.%Y"], help="Membership on this day; today by default.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show a registry: entries per region and how many are members on a day, or one entry."""
    day = on.date() if on else date.today()
    konkurs = runtime.services()
    if inn is not None:
        _show_entry(konkurs, name, str(padded_inn(inn)), day, as_json)
        return
    regions = konkurs.registry.registry_regions(name, day)
    entries, members = sum(r.entries for r in regions), sum(r.members for r in regions)
    if as_json:
        emit_json({"registry": name, "on": day.isoformat(), "entries": entries, "members": members,
                   "regions": regions})
        return
    say(f"Registry {name}: {entries} entries, {members} of them members on {day:%Y-%m-%d}")
    say(table("By region", ["code", "region", "entries", f"members on {day}"],
              [(r.region, r.name, r.entries, r.members) for r in regions]))


def _show_entry(konkurs: Konkurs, name: str, inn: str, day: date, as_json: bool) -> None:
    entry = konkurs.registry.registry_entry(name, inn)
    row = entry.row
    member = membership(row).covers(day)
    shown = {"registry": name, **row.model_dump(mode="json"), "on": day.isoformat(),
             "member": member, "revisions": entry.version - 1}
    if as_json:
        emit_json(shown)
        return
    say(table(f"INN {inn}", ["", ""],
              [(key, "" if value is None else str(value)) for key, value in shown.items()], widest=80))
