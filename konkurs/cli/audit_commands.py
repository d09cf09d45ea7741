"""`konkurs audit`: the tamper-evident chain over the log, for auditors and for the public record.

Other audit commands register themselves on `audit_app` from their own modules.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from domain.audit.models import ContestAudit
from domain.rules.chain import ChainBreak
from domain.rules.checkpoints import CheckpointReport
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, errors, fail, say, table
from konkurs.record_check import verify_record
from services.chain import ChainHead
from services.checkpoints import MANUAL

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
def head(
    sign: Annotated[bool, typer.Option(
        "--sign", help="Sign the head with the deployment's key and append it to the checkpoint "
                       "file (KONKURS_CHECKPOINTS).")] = False,
    reason: Annotated[str, typer.Option(help="Why the head is signed, recorded with it.")] = MANUAL,
    as_json: JsonFlag = False,
) -> None:
    """Link the events recorded since the last call and print the chain head: the last linked
    log position and its link in hex. Publish both (e.g. on the ministry's site): a later
    rewrite of anything before that position changes the link.

    With --sign, the head is signed and appended to the checkpoint file, which
    `konkurs audit verify --checkpoints` checks the log against; publish `konkurs audit key` beside it."""
    konkurs = runtime.services()
    if sign:
        signed = konkurs.checkpoints.publish(reason)
        if as_json:
            emit_json(signed)
            return
        say(f"chain head at position {signed.position}: {signed.link}")
        say(f"signed {signed.signed_at} ({signed.reason}) with key {signed.public_key}")
        say("signature:")
        say(signed.signature)
        say(f"appended to {konkurs.checkpoints.path}")
        return
    chain_head = konkurs.chain.extend()
    if as_json:
        emit_json({"position": chain_head.position, "link": chain_head.hex})
        return
    say(f"chain head at position {chain_head.position}: {chain_head.hex}")


@audit_app.command("key")
def key(as_json: JsonFlag = False) -> None:
    """Print the public key (Ed25519, hex) that signs the chain heads. Publish it beside the heads:
    it is what anyone checks them with (`konkurs audit verify --checkpoints … --public-key …`)."""
    public = runtime.services().signing.public_hex
    if as_json:
        emit_json({"public_key": public})
        return
    say(public)


@audit_app.command("verify")
def verify(
    contests: Annotated[list[str] | None, typer.Option(
        "--contest", metavar="SLUG",
        help="Recompute this contest's results; repeat for more. Default: every contest.")] = None,
    checkpoints: Annotated[str | None, typer.Option(
        "--checkpoints", metavar="FILE_OR_URL",
        help="Also check the log against the signed heads published earlier: a checkpoint file "
             "(JSON Lines) or an http(s) URL (the file, or GET /v1/checkpoints).")] = None,
    public_key: Annotated[str | None, typer.Option(
        "--public-key", metavar="HEX",
        help="The key the heads must be signed with. Default: this deployment's own "
             "(`konkurs audit key`).")] = None,
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

    3. With --checkpoints, checks each signed head's signature, and that the log as it stands,
       its links recomputed from the rows themselves, still extends every head: a log cut short,
       or a tail rewritten with every later link recomputed, is named with its positions.

    4. Replays the log into the results, tally and board views, each up to the position the view
       has read to, and compares every row of each contest with the views file people read.

    Exits 0 only when the chain is intact, every head holds and every recomputation equals the
    record; otherwise prints each difference (recorded vs recomputed) and exits 1.

    Example: `konkurs audit verify --contest smart-dialog-2023`
    """
    konkurs = runtime.services()
    slugs = contests or konkurs.store.contest_slugs()
    with _progress(as_json) as progress:
        task = progress.add_task("checking", total=len(slugs) + 3)
        verdict = verify_record(konkurs, runtime.settings().views_path, slugs, checkpoints, public_key,
                                lambda doing: progress.update(task, advance=1, description=doing))
    broken, chain_head, anchored, audits = verdict.broken, verdict.head, verdict.anchored, verdict.audits
    if as_json:
        emit_json({
            "intact": broken is None,
            "holds": verdict.holds,
            "head": {"position": chain_head.position, "link": chain_head.hex},
            "break": None if broken is None else {
                "position": broken.position, "kind": str(broken.kind), "detail": broken.detail},
            "checkpoints": None if anchored is None else {
                "source": checkpoints, **anchored.model_dump(mode="json")},
            "contests": [a.model_dump(mode="json") for a in audits],
        })
    else:
        _show(broken, chain_head, audits, anchored)
    if not verdict.holds:
        raise typer.Exit(1)


def _show(broken: ChainBreak | None, chain_head: ChainHead, audits: list[ContestAudit],
          anchored: CheckpointReport | None) -> None:
    if broken is None:
        say(f"chain intact: {chain_head.position} events, head {chain_head.hex}")
    else:
        fail(broken.describe())
    if anchored is not None:
        _show_checkpoints(anchored)
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


def _show_checkpoints(report: CheckpointReport) -> None:
    if report.holds:
        count = f"{report.trusted} head{'' if report.trusted == 1 else 's'}"
        latest = "" if report.extended is None else f", the latest at position {report.extended}"
        if not report.heads:
            say("signed heads: there are none to check the log against")
            return
        say(f"signed heads hold: the log extends all {count}{latest}")
        say(f"  signed with key {report.public_key}")
        return
    for finding in report.findings[:SHOWN]:
        fail(finding.describe())
    if len(report.findings) > SHOWN:
        fail(f"… and {len(report.findings) - SHOWN} more findings on the signed heads (see --json)")


def _progress(as_json: bool) -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=errors, transient=True,
                    disable=as_json or not errors.is_terminal)
