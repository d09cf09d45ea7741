"""Operator commands that steer a contest through its workflow."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from temporalio.client import Client

from domain.errors import InputFileError
from domain.phases import Phase
from domain.spec import ContestSpec
from domain.spec_file import load_spec
from konkurs import operations
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, emit_json, say, schedule_table
from workflows.models import CancelContest, ClosePhase, ContestState, ExtendDeadline

Slug = Annotated[str, typer.Argument(help="The contest's slug, as in its spec.")]
Reason = Annotated[str, typer.Option("--reason", "-r", help="Why; recorded in the log.")]


def register(app: typer.Typer) -> None:
    app.command("announce")(announce)
    app.command("extend")(extend)
    app.command("close")(close)
    app.command("cancel")(cancel)


def announce(
    spec_file: Annotated[Path, typer.Argument(help="The contest spec (YAML).")],
    rebase_to_now: Annotated[bool, typer.Option(
        "--rebase-to-now",
        help="Rehearse a past contest: keep its intervals, move the announcement to now.",
    )] = False,
    as_json: JsonFlag = False,
) -> None:
    """Announce a contest: start its workflow, which records the announcement and keeps time."""
    spec = load_spec(spec_file)
    if spec.voting.enabled:
        runtime.settings().voter_key()  # in production a vote is refused without its HMAC key
    plan = operations.plan_for(spec, operations.utc_now(), rebase_to_now)

    async def work(client: Client) -> None:
        await operations.announce(client, spec, plan, runtime.settings().task_queue)

    runtime.with_client(work)
    if as_json:
        emit_json({"slug": spec.slug, "plan": plan.model_dump(mode="json")})
        return
    say(f"Announced [bold]{spec.slug}[/]: {spec.title}")
    say(schedule_table("Schedule", plan.windows))


def extend(
    slug: Slug,
    until: Annotated[str, typer.Option(
        "--until", help="New deadline: a date (the end of that day, contest time) or ISO time."
    )],
    reason: Reason,
    phase: Annotated[Phase | None, typer.Option(help="Phase to extend; default: the current one.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Extend a deadline, e.g. collection from 18 to 30 June. Rejected if it is in the past."""
    closes_at = _parse_moment(until, runtime.store().get_contest(slug).spec)

    async def work(client: Client) -> ContestState:
        state, _ = await operations.live_state(client, slug)
        request = ExtendDeadline(phase=phase or state.phase, closes_at=closes_at, reason=reason)
        return await operations.send_update(client, slug, "extend_deadline", request)

    _report(runtime.with_client(work), as_json, "Deadline extended")


def close(
    slug: Slug,
    phase: Annotated[Phase, typer.Option(help="The phase to close; must be the current one.")],
    reason: Reason = "",
    as_json: JsonFlag = False,
) -> None:
    """Close the current phase now (early close). Naming the phase guards against mistakes."""
    request = ClosePhase(phase=phase, reason=reason)
    state = runtime.with_client(
        lambda client: operations.send_update(client, slug, "close_phase", request)
    )
    _report(state, as_json, f"Closed {phase.value}")


def cancel(slug: Slug, reason: Reason, as_json: JsonFlag = False) -> None:
    """Cancel a contest in any phase. The reason is recorded."""
    state = runtime.with_client(
        lambda client: operations.send_update(client, slug, "cancel", CancelContest(reason=reason))
    )
    _report(state, as_json, "Cancelled")


def _report(state: ContestState, as_json: bool, what: str) -> None:
    if as_json:
        emit_json(state)
        return
    say(f"{what}: [bold]{state.slug}[/] is now in phase [bold]{state.phase.value}[/]")
    say(schedule_table("Deadlines", state.plan.windows))


def _parse_moment(text: str, spec: ContestSpec) -> datetime:
    try:
        if "T" in text or " " in text.strip():
            return spec.local_moment(datetime.fromisoformat(text), end_of_day=True)
        return spec.local_moment(date.fromisoformat(text), end_of_day=True)
    except ValueError:
        raise InputFileError(f"--until {text!r} is neither a date (2023-06-30) nor an ISO time") from None
