"""`konkurs events`: the log as services see it, one public event per JSON line."""

from __future__ import annotations

import difflib
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from eventsourcing.utils import get_topic

from domain.contract import event_classes, schema_version, topics_for
from domain.errors import UnknownContest
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say, table
from projections.public_events import ContestSlugs, public_event
from services.konkurs import Konkurs

events_app = typer.Typer(
    help="Read the event log as services see it: stable names, versions, JSON (docs/events.md).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(events_app, name="events")


@events_app.command("tail")
def tail(
    start: Annotated[int, typer.Option(
        "--from", min=0, metavar="POSITION",
        help="First log position to print (0 or 1: the beginning). To resume, pass the last "
             "position you processed plus one.")] = 1,
    follow: Annotated[bool, typer.Option(
        "--follow", "-f", help="Keep printing new events as they are recorded; Ctrl-C stops.")] = False,
    types: Annotated[list[str] | None, typer.Option(
        "--type", metavar="NAME",
        help="Only events of this name, e.g. --type contest.phase_changed; repeat for more. "
             "`konkurs events types` lists them.")] = None,
    contest: Annotated[str | None, typer.Option(
        "--contest", metavar="SLUG", help="Only events of this contest.")] = None,
    interval: Annotated[float, typer.Option(
        min=0.01, help="With --follow: seconds between looks at the log.")] = 1.0,
) -> None:
    """Print events as JSON Lines on stdout, one per line with its global `position`:
    `konkurs events tail --type submission.submitted | jq .data.title`."""
    topics = topics_for(types or [])
    konkurs = runtime.services()
    if contest is not None:
        check_contest(konkurs, contest)
    try:
        stream(konkurs, topics, max(start, 1), contest, follow, interval)
    except BrokenPipeError:
        from konkurs.cli import SIGPIPE_EXIT  # the package imports this module first

        raise typer.Exit(SIGPIPE_EXIT) from None


def stream(
    konkurs: Konkurs, topics: list[str], position: int, contest: str | None, follow: bool,
    interval: float,
) -> None:
    slugs = ContestSlugs(konkurs.store)
    with stop_on_signals() as stop:
        while not stop.is_set():
            for logged in konkurs.store.read_log(topics, start=position):
                position = logged.position + 1
                if contest is None or slugs.of(logged) == contest:
                    sys.stdout.write(public_event(logged, slugs).model_dump_json() + "\n")
                if stop.is_set():
                    break
            sys.stdout.flush()
            if not follow:
                break
            stop.wait(interval)


@events_app.command("types")
def types_(as_json: JsonFlag = False) -> None:
    """List every event name with its schema version and stored topic."""
    rows = [(name, schema_version(c), get_topic(c)) for name, c in event_classes().items()]
    if as_json:
        emit_json([{"name": n, "version": v, "topic": t} for n, v, t in rows])
        return
    say(table("Events (fields in docs/events.md)", ["name", "version", "stored topic"], rows,
              widest=70))


def check_contest(konkurs: Konkurs, slug: str) -> None:
    known = konkurs.store.contest_slugs()
    if slug not in known:
        near = difflib.get_close_matches(slug, known, n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise UnknownContest(f"no contest {slug!r} has been announced{hint}")


class StopRequest:
    """Set by Ctrl-C or SIGTERM and checked between lines, so the stream never ends mid-line.

    A plain flag: a signal handler must not take a lock that the interrupted code may hold.
    """

    def __init__(self) -> None:
        self.requested = False

    def is_set(self) -> bool:
        return self.requested

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.05))


@contextmanager
def stop_on_signals() -> Iterator[StopRequest]:
    stop = StopRequest()

    def request(*_: object) -> None:
        stop.requested = True

    previous = {signum: signal.signal(signum, request) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
