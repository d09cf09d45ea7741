"""`konkurs audit`: the tamper-evident chain over the log, for auditors and for the public record.

Other audit commands register themselves on `audit_app` from their own modules.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.audit.models import ContestAudit
from domain.rules.chain import ChainBreak
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, errors, fail, say, table
from services.chain import ChainHead

SHOWN = 20

audit_app = typer.Typer(
    help="Check the record: a SHA-256 chain links every event to the one before it, so an "
         "edited, deleted, inserted or reordered row shows. Post `konkurs audit head` "
         "publicly; anyone holding it can later run `konkurs audit verify`.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("head")
def head(as_json: JsonFlag = False) -> None:
    """Link the events recorded since the last call and print the chain head: the last linked
    log position and its link in hex. Publish both (e.g. on the ministry's site): a later
    rewrite of anything before that position changes the link."""
    chain_head = runtime.services().chain.extend()
    if as_json:
        emit_json({"position": chain_head.position, "link": chain_head.hex})
        return
    say(f"chain head at position {chain_head.position}: {chain_head.hex}")


@audit_app.command("verify")
def verify(
    contests: Annotated[list[str] | None, typer.Option(
        "--contest", metavar="SLUG",
        help="Recompute this contest's results; repeat for more. Default: every contest.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Check the record, then recompute every published result from it.

    1. Links any new events, then rechecks the whole log against the stored links and each
       aggregate's versions (1, 2, 3…): the first broken position is named, with whether a row was
       edited, deleted, inserted or reordered.

    2. For each contest, recomputes from the log, with the spec announced and the same rules:
       screening decisions, the conflict checks of every expert assignment, normalised scores,
       rankings and their tie-breaks, the vote tally, the declared and published places, and
       promotions between stages. The seals on results events must name the spec, a known rules
       version and a chain head the chain still has.

    Exits 0 only when the chain is intact and every recomputation equals the record; otherwise
    prints each difference (recorded vs recomputed) and exits 1.

    Example: `konkurs audit verify --contest smart-dialog-2023`
    """
    konkurs = runtime.services()
    slugs = contests or konkurs.store.contest_slugs()
    with _progress(as_json) as progress:
        task = progress.add_task("checking the chain", total=len(slugs) + 1)
        broken = konkurs.chain.verify()
        chain_head = konkurs.chain.extend()
        audits = []
        for slug in slugs:
            progress.update(task, advance=1, description=f"recomputing {slug}")
            audits.append(konkurs.audit.audit_contest(slug))
    if as_json:
        emit_json({
            "intact": broken is None,
            "holds": broken is None and all(a.holds for a in audits),
            "head": {"position": chain_head.position, "link": chain_head.hex},
            "break": None if broken is None else {
                "position": broken.position, "kind": str(broken.kind), "detail": broken.detail},
            "contests": [a.model_dump(mode="json") for a in audits],
        })
    else:
        _show(broken, chain_head, audits)
    if broken is not None or not all(a.holds for a in audits):
        raise typer.Exit(1)


def _show(broken: ChainBreak | None, chain_head: ChainHead, audits: list[ContestAudit]) -> None:
    if broken is None:
        say(f"chain intact: {chain_head.position} events, head {chain_head.hex}")
    else:
        fail(broken.describe())
    for audit in audits:
        say(table(f"{audit.slug}: spec {audit.spec_hash}, rules v{audit.rules_version}",
                  ["check", "recomputed", "verdict", "notes"],
                  [(c.check, c.recomputed, "holds" if c.holds else f"{len(c.differences)} differ",
                    "; ".join(c.notes)) for c in audit.checks], widest=70))
        differences = audit.differences
        for difference in differences[:SHOWN]:
            fail(f"{audit.slug}: {difference.describe()}")
        if len(differences) > SHOWN:
            fail(f"{audit.slug}: … and {len(differences) - SHOWN} more differences (see --json)")


def _progress(as_json: bool) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=errors, transient=True,
                    disable=as_json or not errors.is_terminal)
