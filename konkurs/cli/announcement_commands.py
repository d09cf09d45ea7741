"""`konkurs announcements`: the letters a contest's announcement recorded for mailer services."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer
from pydantic import BaseModel
from rich.markup import escape
from rich.text import Text

from domain.aggregates import Announcement
from domain.errors import KonkursError
from domain.regions import padded_region, region_name
from domain.spec.announcement import Addressee, LetterParticulars
from konkurs.cli import runtime
from konkurs.cli.output import JsonFlag, console, emit_json, say, table
from services.konkurs import Konkurs

Slug = Annotated[str, typer.Argument(help="The contest's slug, as in its spec.")]
Show = Annotated[str | None, typer.Option(
    "--show", metavar="ADDRESSEE_OR_REGION",
    help="Print the letters to this addressee or region: a region code (75), or part of a "
         "region's or an addressee's name (забайкальский), any case.",
)]


class IssuedLetter(BaseModel):
    """One `AnnouncementIssued` event as a mailer reads it, with its log position and id."""

    position: int
    id: UUID
    addressee: Addressee
    region_name: str | None
    subject: str
    text: str
    command_id: str
    particulars: LetterParticulars | None


def register(app: typer.Typer) -> None:
    app.command("announcements")(announcements)


def announcements(slug: Slug, show: Show = None, as_json: JsonFlag = False) -> None:
    """List who a contest's announcement letter went to: one `AnnouncementIssued` event per
    addressee, recorded when the contest was announced, for a mailer service to send.

    Addressees: the authorities of the regions the contest is open to, or the spec's list.
    `--show 75` prints the letter to region 75.
    """
    letters = issued_letters(runtime.services(), slug)
    if show is not None:
        letters = matching(letters, show, slug)
    if as_json:
        emit_json([letter.model_dump(mode="json") for letter in letters])
    elif show is not None:
        for letter in letters:
            print_letter(letter)
    elif not letters:
        say(f"Contest {slug} issued no letters: its spec has no `announcement` section.")
    else:
        say(f"[bold]{len(letters)}[/] letters: {escape(letters[0].subject)}")
        if letters[0].particulars is not None:
            say(Text(describe(letters[0].particulars)))
        say(table(f"Addressees of {slug}", ["region", "region name", "addressee", "email"], [
            (letter.addressee.region, letter.region_name, letter.addressee.name,
             letter.addressee.email)
            for letter in letters
        ], widest=60))


def issued_letters(konkurs: Konkurs, slug: str) -> list[IssuedLetter]:
    konkurs.store.get_contest(slug)  # an unknown slug is an error, not an empty list
    letters = []
    for logged in konkurs.store.contest_events(slug, [Announcement.AnnouncementIssued]):
        addressee = Addressee.model_validate(logged.state["addressee"])
        letters.append(IssuedLetter(
            position=logged.position, id=logged.originator_id, addressee=addressee,
            region_name=region_name(addressee.region), subject=logged.state["subject"],
            text=logged.state["text"], command_id=logged.state["command_id"],
            particulars=logged.state["particulars"],
        ))
    return letters


def describe(particulars: LetterParticulars) -> str:
    """«18.10.2023 № 27-4/10/В-16418 from …, signed by …, to …»: what every copy shares."""
    signatory = particulars.signatory
    return ", ".join(filter(None, (
        particulars.reference(),
        particulars.sender and f"from {particulars.sender}",
        f"signed by {signatory.position} {signatory.name}" if signatory else None,
        particulars.addressed_to and f"to {particulars.addressed_to}",
    )))


def matching(letters: list[IssuedLetter], wanted: str, slug: str) -> list[IssuedLetter]:
    code = padded_region(wanted)
    needle = wanted.strip().casefold()
    found = [
        letter for letter in letters
        if letter.addressee.region == code
        or needle in letter.addressee.name.casefold()
        or needle in (letter.region_name or "").casefold()
        or needle == (letter.addressee.email or "").casefold()
    ]
    if not found:
        raise KonkursError(f"no letter of contest {slug} goes to {wanted!r}; "
                           f"`konkurs announcements {slug}` lists the addressees")
    return found


def print_letter(letter: IssuedLetter) -> None:
    to = letter.addressee
    where = " ".join(filter(None, (to.region, letter.region_name)))
    say(Text.assemble(("To: ", "bold"), to.name, f" <{to.email}>" if to.email else "",
                      f" ({where})" if where else ""))
    say(Text.assemble(("Subject: ", "bold"), letter.subject))
    console.print(Text(letter.text.rstrip("\n")), soft_wrap=True)
    console.print()
