"""Credentials from the CLI: `konkurs tokens issue|list|revoke` and `konkurs whoami`."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape

from domain.access import rights_of
from domain.actors import Actor, Role, Scope
from domain.commands.credentials import IssueToken, RevokeToken, TokenInfo
from domain.errors import InvalidCommand
from domain.russian_dates import ACCEPTED_FORMS, parse_day_or_moment
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, console, emit_json, say, table
from services.credentials import describe_error

PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

tokens_app = typer.Typer(
    help="Bearer tokens that let experts, portals, applicants, auditors and other operators act "
    "in Konkurs under their own name. Federal operators issue and revoke them; the log keeps only "
    "a SHA-256 hash of each, and a revocation takes effect at once. See docs/roles.md.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(tokens_app, name="tokens")
    app.command("whoami")(whoami)


@tokens_app.command("issue")
def issue(
    role: Annotated[Role, typer.Option(help="What the token acts as.", case_sensitive=False)],
    acts_as_id: Annotated[str, typer.Option(
        "--id", help="Who it acts as: an expert's roster id, a portal's name, an operator's login.")],
    contests: Annotated[list[str] | None, typer.Option(
        "--contest", help="A contest (slug) the token acts in; repeat for several. Experts and "
        "portals need at least one; operators and auditors without one act in every contest.")] = None,
    region: Annotated[str | None, typer.Option(
        help="A regional operator's region code, e.g. 75; required for that role, refused for others.",
    )] = None,
    inn: Annotated[str | None, typer.Option(
        help="An applicant organisation's INN; required for applicants.")] = None,
    label: Annotated[str, typer.Option(help="What the token is for, shown by `konkurs tokens list`.")] = "",
    expires: Annotated[str | None, typer.Option(
        help="When it stops working: 01.03.2027 or 2027-03-01 (the start of that day, UTC), "
        "01.03.2027 18:00 (UTC) or an ISO time such as 2027-03-01T18:00+03:00. "
        "Without it, it works until revoked.")] = None,
    profile: Annotated[str | None, typer.Option(
        help="Also save the token (mode 0600) as this profile, so `KONKURS_PROFILE=NAME konkurs …` "
        "acts with it.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Issue a token that acts as ROLE ID within its scope; only a federal operator may.

    The token is printed once and never again: Konkurs stores only its SHA-256 hash.

    Hand it to its holder, who sets KONKURS_TOKEN to it (or saves it with --profile).

    Example: konkurs tokens issue --role expert --id ivanova --contest smart-dialog-2023
    """
    path = _free_profile(profile) if profile else None
    try:
        scope = Scope(contests=tuple(contests or ()), region=region, inn=inn)
        order = IssueToken(actor=runtime.actor(), role=role, id=acts_as_id, scope=scope, label=label,
                           expires_at=_moment(expires))
    except ValidationError as error:
        raise InvalidCommand(f"cannot issue the token: {describe_error(error)}") from None
    issued = runtime.services().credentials.issue(order)
    if path is not None:
        _save_profile(path, issued.token)
    if as_json:
        emit_json({**issued.model_dump(mode="json"), "profile": str(path) if path else None})
        return
    named = issued.acts_as.scope.contests
    where = f" in {', '.join(named)}" if named else ""
    expiry = _when(issued.expires_at) if issued.expires_at else "never (until revoked)"
    say(f"Issued token [bold]{issued.token_id}[/] acting as {escape(issued.acts_as.describe() + where)}; "
        f"expires {expiry}.")
    console.print(issued.token, markup=False, highlight=False, soft_wrap=True)
    say("This token is shown only once: Konkurs keeps only its hash. Hand it over now.")
    if path is not None:
        say(f"Saved as profile {profile} ({path}): act with it by setting KONKURS_PROFILE={profile}.")


@tokens_app.command("list")
def list_tokens(as_json: JsonFlag = False) -> None:
    """List every token issued, with who issued it and whether it is revoked; never the secrets.

    Federal operators and auditors may list them. Times are in UTC.
    """
    tokens = runtime.services().credentials.tokens(runtime.actor())
    if as_json:
        emit_json(tokens)
        return
    now = datetime.now(UTC)
    grid = table(f"{len(tokens)} tokens (days in UTC)",
                 ["id", "role", "acts as", "scope", "issued by", "issued", "expires", "revoked"],
                 [_row(token, now) for token in tokens], widest=15)
    grid.columns[0].min_width = 12  # `konkurs tokens revoke` needs the whole id
    say(grid)


@tokens_app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id: the 12 hex digits after konkurs_.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why; recorded in the log.")],
) -> None:
    """Revoke a token: it stops working at once, in every process, and stays in the listing."""
    order = RevokeToken(actor=runtime.actor(), token_id=token_id, reason=reason)
    runtime.services().credentials.revoke(order)
    say(f"Revoked token {token_id}: it no longer works.")


def whoami(as_json: JsonFlag = False) -> None:
    """Show who this command line acts as, and what that actor may do.

    The actor comes from KONKURS_TOKEN, else the profile KONKURS_PROFILE names, else (outside
    production mode) the embedded default's local operator.
    """
    actor = runtime.actor()
    rights = rights_of(actor)
    if as_json:
        emit_json({**actor.model_dump(mode="json"), "role": actor.role, "rights": rights})
        return
    say(f"You act as [bold]{escape(actor.describe())}[/]")
    for name, value in _facts(actor):
        say(f"  {name:<11} {escape(value)}")
    say("May:")
    for right in rights:
        say(f"  • {escape(right)}")


def _facts(actor: Actor) -> list[tuple[str, str]]:
    return [("kind", actor.kind.value), ("id", actor.id), ("role", actor.role or "the engine"),
            ("scope", actor.scope.describe()), ("credential", actor.credential or "none")]


def _row(token: TokenInfo, now: datetime) -> tuple[str, ...]:
    acts_as = token.acts_as
    expires = "never"
    if token.expires_at is not None:
        expires = _day(token.expires_at) + (" (expired)" if token.expires_at <= now else "")
    revoked = ""
    if token.revoked_at is not None:
        by = token.revoked_by.id if token.revoked_by else "?"
        revoked = f"{token.revoked_at.astimezone(UTC):%Y-%m-%d} by {by}: {token.reason}"
    named = f"{acts_as.id} ({token.label})" if token.label else acts_as.id
    issued = f"{token.issued_at.astimezone(UTC):%Y-%m-%d}"
    cells = (token.token_id, str(acts_as.role), named, acts_as.scope.describe(),
             token.issued_by.id if token.issued_by else "?", issued, expires, revoked)
    return tuple(escape(cell) for cell in cells)


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _day(moment: datetime) -> str:
    """The day in UTC, and the time too when it is not midnight."""
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%d}" if moment.time() == time(0) else f"{moment:%Y-%m-%d %H:%M}"


def _moment(text: str | None) -> datetime | None:
    """A bare date is the start of that day in UTC; a time without an offset is read in UTC."""
    if text is None:
        return None
    try:
        moment = parse_day_or_moment(text)
    except ValueError:
        raise InvalidCommand(f"--expires {text!r} is not a date or time; write {ACCEPTED_FORMS}") from None
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(0))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _free_profile(name: str) -> Path:
    if not PROFILE_NAME.match(name):
        raise InvalidCommand(f"profile name {name!r}: use latin letters, digits, '.', '_' and '-'")
    path = runtime.settings().profile_path(name)
    if path.exists():
        raise InvalidCommand(f"profile {name} already exists at {path}; choose another name or delete it")
    return path


def _save_profile(path: Path, token: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(token + "\n")
