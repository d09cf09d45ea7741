"""`konkurs spec`: check contest specs and print their schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from domain.errors import SpecError
from domain.spec import ContestSpec
from konkurs.cli.output import JsonFlag, emit_json, errors, say
from konkurs.spec_files import load_spec

spec_app = typer.Typer(help="Check contest specs (YAML) and print their JSON Schema.",
                       no_args_is_help=True)


@spec_app.command("check")
def check(
    files: Annotated[list[Path], typer.Argument(help="Spec files to check, e.g. examples/*.yaml")],
    as_json: JsonFlag = False,
) -> None:
    """Validate specs; print every problem as FILE:LINE:COLUMN: field: message."""
    report: list[dict[str, Any]] = []
    for path in files:
        try:
            spec = load_spec(path)
        except SpecError as error:
            report.append({"file": str(path), "ok": False, "problems": error.problems})
            continue
        report.append({
            "file": str(path), "ok": True, "problems": [], "slug": spec.slug,
            "nominations": len(spec.nominations),
            "phases": [w.phase.value for w in spec.phase_plan().windows],
        })
    if as_json:
        emit_json(report)
    else:
        for entry in report:
            if entry["ok"]:
                say(f"[green]ok[/]  {entry['file']}: {entry['slug']}, "
                    f"{entry['nominations']} nominations, phases {' → '.join(entry['phases'])}")
            for problem in entry["problems"]:
                errors.print(problem, soft_wrap=True, markup=False)
    if not all(entry["ok"] for entry in report):
        raise typer.Exit(1)


@spec_app.command("schema")
def schema() -> None:
    """Print the JSON Schema of a contest spec (for editors and validators)."""
    typer.echo(json.dumps(ContestSpec.model_json_schema(), ensure_ascii=False, indent=2))
