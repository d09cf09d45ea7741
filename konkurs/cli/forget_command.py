"""`konkurs forget PERSON --reason …`: erase a natural person's name and INN from the record."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.markup import escape

from domain.commands.erasure import Forget
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say
from projections.erasure import scrub
from projections.views_db import ViewsDB


def register(app: typer.Typer) -> None:
    app.command("forget")(forget)


def forget(
    person: Annotated[str, typer.Argument(
        help="expert:<contest>/<expert id> or applicant:<contest>/<submission reference>.")],
    reason: Annotated[str, typer.Option(
        help="Why, for the record: the request answered, e.g. its number and date.")],
    as_json: JsonFlag = False,
) -> None:
    """Erase a person's name and INN: destroy the key they were sealed under, record the erasure
    (who, when, why; never the name) and scrub the views. Everything the rules need stays, so
    `konkurs audit verify` still holds. Operators of the person's contest may; see docs/audit.md."""
    konkurs = runtime.services()
    done = konkurs.forget.forget(Forget(person=person, reason=reason, actor=runtime.actor(),
                                        command_id=f"forget:{uuid.uuid4()}"))
    views_path = runtime.settings().views_path
    views_compacted = scrub(ViewsDB(views_path), done.records) if views_path.exists() else True
    if as_json:
        emit_json({**done.model_dump(mode="json"), "views_compacted": views_compacted})
        return
    if done.nothing_left:
        say(f"Nothing left to forget: {escape(done.person)} was forgotten before.")
    else:
        say(f"Forgot {escape(', '.join(done.erased))}: the name and INN now read \"erased\", "
            "and the erasure is recorded.")
    if not done.purged:
        say("The store's write-ahead log is in use by another process and still holds the old "
            "key: run `konkurs forget` again once it is idle.")
    if not views_compacted:
        say(f"The views file {views_path} is in use by another process and could not be "
            "compacted: run `konkurs forget` again once it is idle.")
