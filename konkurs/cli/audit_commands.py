"""`konkurs audit`: the tamper-evident chain over the log, for auditors and for the public record.

Other audit commands register themselves on `audit_app` from their own modules.
"""

from __future__ import annotations

import typer

from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, fail, say

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
    chain_head = runtime.store().extend_chain()
    if as_json:
        emit_json({"position": chain_head.position, "link": chain_head.hex})
        return
    say(f"chain head at position {chain_head.position}: {chain_head.hex}")


@audit_app.command("verify")
def verify(as_json: JsonFlag = False) -> None:
    """Link any new events, then recheck the whole log against the stored links and each
    aggregate's versions (1, 2, 3…). Exits 0 only when intact; otherwise prints the first broken
    position and whether a row was edited, deleted, inserted or reordered, and exits 1."""
    store = runtime.store()
    broken = store.verify_chain()
    chain_head = store.extend_chain()
    if as_json:
        emit_json({
            "intact": broken is None,
            "head": {"position": chain_head.position, "link": chain_head.hex},
            "break": None if broken is None else {
                "position": broken.position, "kind": str(broken.kind), "detail": broken.detail},
        })
    elif broken is None:
        say(f"intact: {chain_head.position} events, chain head {chain_head.hex}")
    if broken is not None:
        if not as_json:
            fail(broken.describe())
        raise typer.Exit(1)
