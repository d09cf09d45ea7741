"""`konkurs mailer …`: the address book, the outbox's dead letters, the templates and the sending loop."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Annotated

import typer

from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, fail, say, table
from konkurs.cli.webhook_commands import Backoff, BackoffCap
from konkurs.mail.address_book import KINDS, AddressBook, read_addresses
from konkurs.mail.composer import Composer
from konkurs.mail.outbox import Message, Outbox, OutboxError
from konkurs.mail.runner import Batch, MailRunner
from konkurs.mail.settings import MailSettings
from konkurs.mail.smtp import SmtpSender
from konkurs.mail.templates import SAMPLES, TemplateError, Templates
from projections import ViewsDB
from projections.webhook_delivery import RetryPolicy

mailer_app = typer.Typer(
    help="Send the letters the events call for (announcements, experts' notices, applicants' answers, "
    "chase letters) by SMTP, exactly once per event; see docs/mail.md.", no_args_is_help=True)
addresses_app = typer.Typer(help="The address book: who each letter goes to (personal data, erasable).",
                            no_args_is_help=True)
templates_app = typer.Typer(help="The letters' Russian templates.", no_args_is_help=True)
mailer_app.add_typer(addresses_app, name="addresses")
mailer_app.add_typer(templates_app, name="templates")
Kind = Annotated[str, typer.Argument(help=f"One of {', '.join(KINDS)}.")]


def register(app: typer.Typer) -> None:
    app.add_typer(mailer_app, name="mailer")


def _views() -> ViewsDB:
    return ViewsDB(runtime.settings().views_path)


@addresses_app.command("import")
def import_addresses(
    path: Annotated[Path, typer.Argument(help="CSV (UTF-8 or cp1251; `;`, `,` or tab) or JSONL with columns "
                                         "kind, key, email and optionally name (Russian headers: "
                                         "вид, ключ, почта, имя).")],
    as_json: JsonFlag = False,
) -> None:
    """Add or replace addresses. Kinds and keys: authority REGION (e.g. 75), expert EXPERT-ID,
    applicant SLUG/REFERENCE, municipality OKTMO, coordinator REGION. A bad row stops the import
    with `file:line` and nothing is written."""
    addresses = read_addresses(path)
    AddressBook(_views()).put(addresses)
    if as_json:
        emit_json({"imported": len(addresses)})
    else:
        say(f"Imported {len(addresses)} addresses from {path}.")


@addresses_app.command("list")
def list_addresses(as_json: JsonFlag = False) -> None:
    """List the address book."""
    addresses = AddressBook(_views()).all()
    if as_json:
        emit_json([a.model_dump() for a in addresses])
    elif not addresses:
        say("The address book is empty. Import one with `konkurs mailer addresses import FILE`.")
    else:
        say(table("Addresses", ["kind", "key", "email", "name"],
                  [(a.kind, a.key, a.email, a.name) for a in addresses]))


@addresses_app.command("forget")
def forget_address(kind: Kind, key: Annotated[str, typer.Argument(help="The key, e.g. 75 or E-12.")],
                   as_json: JsonFlag = False) -> None:
    """Erase one address. Messages to it that are not sent yet will go to the dead letters."""
    AddressBook(_views()).forget(kind, key)
    if as_json:
        emit_json({"forgotten": {"kind": kind, "key": key}})
    else:
        say(f"Forgot the address of {kind} {key}.")


@templates_app.command("check")
def check_templates(as_json: JsonFlag = False) -> None:
    """Render every template (KONKURS_MAIL_TEMPLATES's over the shipped ones) with a sample;
    a broken one is named with its file and line, exit 2."""
    checked = _templates()
    if as_json:
        emit_json({"templates": list(SAMPLES), "ok": True})
    else:
        say(f"{len(checked)} templates render: {', '.join(checked)}.")


def _templates() -> list[str]:
    try:
        return Templates(MailSettings.from_env().templates).check()
    except TemplateError as error:
        fail(str(error))
        raise typer.Exit(2) from None


@templates_app.command("show")
def show_template(name: Annotated[str, typer.Argument(help=f"One of {', '.join(SAMPLES)}.")]) -> None:
    """Print a shipped template, to copy into KONKURS_MAIL_TEMPLATES and change."""
    sys.stdout.write(Templates().source(name))


@mailer_app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Compose and send what is there, then exit.")] = False,
    contest: Annotated[str | None, typer.Option(help="Only this contest's letters (its slug).")] = None,
    attempts: Annotated[int, typer.Option(min=1, help="Tries per message before it is a dead letter.")] = 8,
    backoff: Backoff = 1.0, backoff_cap: BackoffCap = 300.0,
    interval: Annotated[float, typer.Option(min=0.01, help="Seconds between looks for new events.")] = 0.5,
    as_json: JsonFlag = False,
) -> None:
    """Compose the letters the events call for and send them by SMTP until stopped.

    Ctrl-C or SIGTERM stops it once the message being sent is finished.

    Settings: KONKURS_SMTP_HOST (127.0.0.1), KONKURS_SMTP_PORT (25), KONKURS_SMTP_STARTTLS (0/1),
    KONKURS_SMTP_USER, KONKURS_SMTP_PASSWORD, KONKURS_MAIL_FROM, KONKURS_MAIL_TEMPLATES. The
    templates are checked first: a broken one stops it with exit 2. Each message has a Message-ID
    made from its event's log position, so a restarted mailer never composes a message twice."""
    settings = MailSettings.from_env()
    _templates()
    konkurs = runtime.services()
    views = _views()
    policy = RetryPolicy(attempts=attempts, backoff=backoff, cap=backoff_cap)
    composer = Composer(konkurs, Templates(settings.templates), settings.domain)
    runner = MailRunner(konkurs, views, composer, SmtpSender(settings), policy, contest, interval, _progress)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Set from another thread: the handler may interrupt this one inside stop.wait().
        signal.signal(signum, lambda *_: threading.Thread(target=stop.set).start())
    if not once:
        _line(f"mailer: sending through {settings.host}:{settings.port}; Ctrl-C to stop")
    total = runner.once(stop) if once else runner.follow(stop)
    counts = runner.outbox.counts(contest)
    if as_json:
        emit_json({"composed": total.composed, "sent": total.sent, "dead_lettered": total.dead,
                   "outbox": counts})
    else:
        say(f"Composed {total.composed}, sent {total.sent}, dead-lettered {total.dead}; the outbox holds "
            f"{counts['sent']} sent, {counts['pending']} pending, {counts['dead']} dead.")
        if counts["dead"]:
            say("See them with `konkurs mailer dead`; queue them again with `konkurs mailer resend --all`.")


def _line(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _progress(batch: Batch) -> None:
    _line(f"mailer: composed {batch.composed}, sent {batch.sent}, retrying {batch.retrying}, "
          f"dead {batch.dead}")


@mailer_app.command("dead")
def dead(contest: Annotated[str | None, typer.Option(help="Only this contest's.")] = None,
         as_json: JsonFlag = False) -> None:
    """List dead letters: messages given up on, with the last error."""
    letters = Outbox(_views()).dead(contest)
    if as_json:
        emit_json([_public(m) for m in letters])
    elif not letters:
        say("No dead letters.")
    else:
        say(table("Dead letters", ["message id", "event", "to", "attempts", "error"],
                  [(m.message_id, m.event, m.recipient, m.attempts, m.last_error) for m in letters],
                  widest=60))


def _public(message: Message) -> dict[str, object]:
    return message.model_dump(exclude={"body", "next_try_at"})


@mailer_app.command("resend")
def resend(
    message_ids: Annotated[list[str] | None, typer.Argument(help="Message-IDs, e.g. '<412.0.konkurs@…>'.")]
    = None,
    every: Annotated[bool, typer.Option("--all", help="Every dead letter.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Queue dead letters to be sent again by `konkurs mailer run`, with the same Message-IDs."""
    if every == bool(message_ids):
        raise OutboxError("give Message-IDs or --all")
    queued = Outbox(_views()).resend(None if every else message_ids)
    if as_json:
        emit_json({"queued": queued})
    else:
        say(f"Queued {queued} dead letters; `konkurs mailer run` sends them.")
