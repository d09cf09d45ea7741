"""`konkurs audit replay-workflows`: would today's workflow code still run yesterday's contests?"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from temporalio.client import Client, WorkflowHistory

from konkurs import replay
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, fail, say, table


def register(audit_app: typer.Typer) -> None:
    audit_app.command("replay-workflows")(replay_workflows)


def replay_workflows(
    contests: Annotated[list[str] | None, typer.Option(
        "--contest", metavar="SLUG",
        help="Replay this contest and its nomination panels; repeat for more. "
             "Default: every contest the Temporal server still keeps.")] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", metavar="DIR", file_okay=False,
        help="Also write each fetched history to DIR/<workflow id>.json, for CI to replay "
             "later with --from.")] = None,
    source: Annotated[Path | None, typer.Option(
        "--from", metavar="DIR", file_okay=False,
        help="Replay the *.json histories in DIR offline, without a Temporal server.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Replay contests' Temporal histories against the current workflow code.

    A change made without `workflow.patched` breaks running contests; this finds it before a deploy.

    Exits 0 only if every history replays; each failure is one line naming the workflow.

    In CI: `--export histories/` once, then `--from histories/` on every change (docs/audit.md).
    """
    if source is not None and (contests or export is not None):
        raise typer.BadParameter("--from replays files; it takes no --contest or --export")
    histories = replay.load_histories(source) if source else runtime.with_client(
        lambda client: _fetch(client, contests or []))
    if export is not None:
        replay.export_histories(histories, export)
    outcomes = asyncio.run(replay.replay(histories))
    if as_json:
        emit_json({"replayed": all(o.replays for o in outcomes),
                   "workflows": [o.as_json() for o in outcomes]})
    else:
        say(table("Workflow replay", ["workflow", "events", "result"],
                  [(o.workflow_id, o.events, o.result) for o in outcomes], widest=60))
        if export is not None:
            say(f"{len(histories)} histories written to {export}")
    for outcome in outcomes:
        if not outcome.replays:
            fail(outcome.line())
    if not all(o.replays for o in outcomes):
        raise typer.Exit(1)


async def _fetch(client: Client, slugs: list[str]) -> list[WorkflowHistory]:
    return await replay.fetch_histories(client, slugs or await replay.contest_slugs(client))
