"""How the CLI speaks: tables for people, `--json` for machines, one line on stderr for errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table

from domain.phases import PhaseWindow, describe_deadline

JsonFlag = Annotated[bool, typer.Option("--json", help="Print one JSON document for machines.")]

class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader went away (`konkurs status … | head`): silence the rest of the output and
        raise the BrokenPipeError the CLI turns into a shell's exit code 141."""
        self.quiet = True
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise BrokenPipeError


console = _Console(highlight=False, width=None if sys.stdout.isatty() else 132)
errors = Console(stderr=True, highlight=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_plain) + "\n")
    sys.stdout.flush()


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else str(value)


def table(
    title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], widest: int = 40
) -> Table:
    """A table that stays one line per row: numbers right-aligned, long text cut with an ellipsis."""
    materialised = [list(row) for row in rows]
    grid = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        numeric = bool(materialised) and all(
            isinstance(row[index], int | float) for row in materialised if row[index] is not None
        )
        grid.add_column(column, justify="right" if numeric else "left", no_wrap=True,
                        overflow="ellipsis", min_width=len(column) if numeric else None,
                        max_width=None if numeric else widest)
    for row in materialised:
        grid.add_row(*("" if cell is None else _cell(cell) for cell in row))
    return grid


def schedule_table(title: str, windows: Iterable[PhaseWindow]) -> Table:
    rows = [(w.phase.value, describe_deadline(w.closes_at)) for w in windows]
    return table(title, ["phase", "open"], rows)


def _cell(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, float) else str(value)


def say(message: RenderableType) -> None:
    console.print(message)


def fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
