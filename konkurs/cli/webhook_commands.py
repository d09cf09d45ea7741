"""`konkurs webhooks …`: register receivers, run the delivery loop, inspect and replay dead letters."""

from __future__ import annotations

import json
import os
import secrets
import signal
import threading
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, console, emit_json, say, table
from projections import ViewsDB
from projections.webhook_delivery import RetryPolicy, replay
from projections.webhook_runner import Delivered, WebhookRunner
from projections.webhooks import DeadLetter, WebhookError, WebhookStore, new_webhook

Name = Annotated[str, typer.Argument(help="The webhook's name, e.g. portal or mailer.")]
Attempts = Annotated[int, typer.Option(min=1, help="Tries per event before it goes to the dead "
                                       "letters.")]
Backoff = Annotated[float, typer.Option(min=0, help="Seconds before the first retry; doubled each time.")]
BackoffCap = Annotated[float, typer.Option("--backoff-cap", min=0, help="Longest wait between retries, s.")]
Timeout = Annotated[float, typer.Option(min=0.1, help="Seconds to wait for the receiver's answer.")]

webhooks_app = typer.Typer(
    help="POST events to other systems' URLs, signed with HMAC-SHA256, retried with backoff; "
    "deliveries that keep failing wait in a dead-letter list to be replayed. See docs/subscribers.md.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")


def _store() -> WebhookStore:
    settings = runtime.settings()
    return WebhookStore(ViewsDB(settings.views_path), settings.secrets_key())


@webhooks_app.command("add")
def add(
    name: Name,
    url: Annotated[str, typer.Argument(help="Where to POST, e.g. https://portal.example.org/hooks.")],
    types: Annotated[list[str], typer.Option(
        "--type", help="A public event name to send, once per type, e.g. --type contest.phase_changed "
        "(every name is in docs/events.md).")],
    contest: Annotated[str | None, typer.Option(help="Only this contest's events (its slug).")] = None,
    secret_env: Annotated[str | None, typer.Option(
        "--secret-env", help="Take the signing secret from this environment variable instead of "
        "generating one.")] = None,
    start: Annotated[int | None, typer.Option(
        "--from", min=0, help="Deliver events after this log position (0: the whole history). "
        "Default: only events recorded from now on.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Register a webhook: where to POST which events.

    The generated signing secret is shown once: give it to the receiver, which checks
    X-Konkurs-Signature against it."""
    secret = _secret(secret_env)
    konkurs = runtime.services()
    position = konkurs.store.head_position() if start is None else start
    webhook = new_webhook(name, url, types, contest, secret)
    _store().add(webhook, position)
    shown = secret if secret_env is None else None
    if as_json:
        emit_json({**_public(webhook.model_dump(mode="json")), "position": position, "secret": shown})
        return
    say(f"Webhook [bold]{name}[/]: POST {', '.join(types)} of "
        f"{f'contest {contest}' if contest else 'every contest'} to {url}, after position {position}.")
    if contest and contest not in konkurs.store.contest_slugs():
        say(f"No contest {contest!r} is announced yet: its events go out once it is.")
    if shown:
        say(f"Signing secret (shown once; give it to the receiver): [bold]{shown}[/]")
    else:
        say(f"Signing secret taken from ${secret_env}.")
    say("Deliver with `konkurs webhooks run`.")


def _secret(variable: str | None) -> str:
    if variable is None:
        return secrets.token_hex(32)
    value = os.environ.get(variable, "")
    if not value:
        raise WebhookError(f"--secret-env {variable}: the environment variable is not set or empty")
    return value


@webhooks_app.command("list")
def list_webhooks(as_json: JsonFlag = False) -> None:
    """List webhooks with what they send, how far they have delivered, and their dead letters."""
    store = _store()
    dead = store.dead_counts()
    rows = [{**_public(w.model_dump(mode="json")), "position": store.position(w),
             "dead_letters": dead.get(w.name, 0)} for w in store.all()]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        say("No webhooks. Add one with `konkurs webhooks add NAME URL --type contest.phase_changed`.")
        return
    say(table("Webhooks", ["name", "url", "types", "contest", "position", "dead letters"],
              [(r["name"], r["url"], " ".join(r["types"]), r["contest"] or "all", r["position"],
                r["dead_letters"]) for r in rows]))


def _public(webhook: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in webhook.items() if k != "secret"}


@webhooks_app.command("remove")
def remove(name: Name, as_json: JsonFlag = False) -> None:
    """Remove a webhook with its position and its dead letters."""
    letters = _store().remove(name)
    if as_json:
        emit_json({"removed": name, "dead_letters_dropped": letters})
    else:
        say(f"Removed webhook {name}" + (f" and its {letters} dead letters." if letters else "."))


@webhooks_app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Deliver what is recorded so far, then exit.")]
    = False,
    attempts: Attempts = 8, backoff: Backoff = 1.0, backoff_cap: BackoffCap = 300.0,
    timeout: Timeout = 10.0,
    interval: Annotated[float, typer.Option(min=0.01, help="Seconds between polls of a SQLite "
                                            "store; PostgreSQL pushes new events.")] = 0.5,
    as_json: JsonFlag = False,
) -> None:
    """Deliver events to every webhook until stopped (Ctrl-C or SIGTERM).

    Each webhook gets its events in log order, on its own. A failed POST (not 2xx, a timeout,
    no connection) is retried after --backoff, 2×, 4× … seconds, up to --backoff-cap; after
    --attempts tries the event goes to the dead letters (`konkurs webhooks dead NAME`) and the
    webhook moves on to its next event. Run one loop per views file."""
    runner = WebhookRunner(runtime.services().store, _store(),
                           RetryPolicy(attempts, backoff, backoff_cap, timeout), interval=interval)
    if once:
        with Progress(SpinnerColumn(), TextColumn("delivering"), console=console, transient=True,
                      disable=as_json or not console.is_terminal):
            outcomes = runner.once()
    else:
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            # Set from another thread: the handler may interrupt this one inside stop.wait(),
            # holding the lock that stop.set() takes.
            signal.signal(signum, lambda *_: threading.Thread(target=stop.set).start())
        if not as_json:
            say(f"Delivering to {len(runner.store.all())} webhooks; Ctrl-C to stop.")
        outcomes = runner.follow(stop)
    _report(outcomes, as_json)


def _report(outcomes: list[Delivered], as_json: bool) -> None:
    if as_json:
        emit_json([vars(o) for o in outcomes])
        return
    if not outcomes:
        say("No webhooks to deliver to. Add one with `konkurs webhooks add NAME URL --type …`.")
        return
    say(table("Deliveries", ["webhook", "delivered", "dead-lettered", "position"],
              [(o.webhook, o.delivered, o.dead_lettered, o.position) for o in outcomes]))
    if any(o.dead_lettered for o in outcomes):
        say("See them with `konkurs webhooks dead NAME`; send them again with "
            "`konkurs webhooks replay NAME --all`.")


@webhooks_app.command("dead")
def dead(name: Name, as_json: JsonFlag = False) -> None:
    """List a webhook's dead letters: events it gave up on, with the last error."""
    letters = _store().dead_letters(name)
    if as_json:
        emit_json([_letter(letter) for letter in letters])
        return
    if not letters:
        say(f"Webhook {name} has no dead letters.")
        return
    say(table(f"Dead letters of {name}", ["position", "event", "attempts", "failed at", "error"],
              [(d.position, d.event, d.attempts, f"{d.failed_at:%Y-%m-%d %H:%M:%S} UTC", d.error)
               for d in letters], widest=60))


def _letter(letter: DeadLetter) -> dict[str, Any]:
    return {**letter.model_dump(mode="json", exclude={"body"}), "payload": json.loads(letter.body)}


@webhooks_app.command("replay")
def replay_dead(
    name: Name,
    positions: Annotated[list[int] | None, typer.Option(
        "--position", help="The dead letter at this log position; repeat for more.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every dead letter of the webhook.")] = False,
    attempts: Attempts = 3, backoff: Backoff = 1.0, backoff_cap: BackoffCap = 30.0,
    timeout: Timeout = 10.0,
    as_json: JsonFlag = False,
) -> None:
    """Send dead letters again, with the same delivery ids; those delivered leave the list."""
    if every == bool(positions):
        raise WebhookError("give --position N (repeatable) or --all")
    delivered, failed = replay(_store(), name, RetryPolicy(attempts, backoff, backoff_cap, timeout),
                               None if every else positions)
    if as_json:
        emit_json({"webhook": name, "delivered": delivered, "still_failing": failed})
    elif delivered:
        say(f"Webhook {name}: {delivered} dead letters delivered and cleared.")
    if failed:
        raise WebhookError(f"webhook {name}: {failed} dead letters still failing; they stay listed "
                           f"in `konkurs webhooks dead {name}`")
