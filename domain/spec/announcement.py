"""The announcement letter: to whom it goes, what identifies it, and its text as a template."""

from __future__ import annotations

from datetime import date, datetime
from string import Template
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from domain.regions import RegionCode
from domain.russian_dates import parse_day_or_moment
from domain.spec.base import SpecModel

# What a letter template may say; `konkurs spec check` refuses any other placeholder.
LETTER_FIELDS = (
    "title", "slug", "organisers", "addressee", "region", "region_name", "announced",
    "collection_closes", "results_published", "nominations",
)

def _russian_or_iso_day(value: object) -> object:
    """A letter's date as the letter prints it (18.10.2023), or as ISO (2023-10-18); a letter
    is dated by the day, so a time of day is refused."""
    if not isinstance(value, str):
        return value
    try:
        parsed = parse_day_or_moment(value)
    except ValueError:
        parsed = None
    if parsed is None or isinstance(parsed, datetime):
        raise ValueError(f"{value.strip()!r} is not a date; write it 18.10.2023 or 2023-10-18")
    return parsed


LetterDay = Annotated[date, BeforeValidator(_russian_or_iso_day)]


class Addressee(SpecModel):
    name: str = Field(min_length=1)
    email: str | None = None
    region: RegionCode | None = None


class Signatory(SpecModel):
    """Who signs the letter, as the signature reads: a public official signing for a body."""

    position: str = Field(min_length=1, description="«Первый заместитель Министра …»")
    name: str = Field(min_length=1, description="«О.Ю. Баталина»")


class LetterParticulars(SpecModel):
    """What identifies the signed letter: every copy of it carries the same particulars."""

    sender: str | None = Field(default=None, min_length=1, description="The body the letter is from")
    number: str | None = Field(default=None, min_length=1, description="The outgoing number: 27-4/10/В-16418")
    dated: LetterDay | None = Field(default=None, description="The letter's date: 18.10.2023 or 2023-10-18")
    signatory: Signatory | None = None
    addressed_to: str | None = Field(
        default=None, min_length=1,
        description="The addressee line the letter prints for all its addressees at once",
    )

    def is_empty(self) -> bool:
        return self == LetterParticulars()

    def reference(self) -> str:
        """The date and number as the letter prints them: «18.10.2023 № 27-4/10/В-16418»."""
        dated = f"{self.dated:%d.%m.%Y}" if self.dated else None
        return " ".join(filter(None, (dated, self.number and f"№ {self.number}")))


class Announcement(LetterParticulars):
    """`$title`, `${collection_closes}` and the other LETTER_FIELDS are filled per addressee."""

    addressees: Literal["regional_authorities"] | list[Addressee] = Field(
        default="regional_authorities",
        description="The authorities of the regions the contest is open to, or a list",
    )
    subject: str = Field(min_length=1)
    letter: str = Field(min_length=1)

    def particulars(self) -> LetterParticulars | None:
        """The letter's particulars, or None when the spec gives none."""
        given = LetterParticulars.model_validate(
            {name: getattr(self, name) for name in LetterParticulars.model_fields}
        )
        return None if given.is_empty() else given

    @field_validator("subject", "letter")
    @classmethod
    def _known_placeholders(cls, text: str) -> str:
        template = Template(text)
        if not template.is_valid():
            raise ValueError("a `$` that starts no placeholder; write `$$` for a dollar sign")
        unknown = sorted(set(template.get_identifiers()) - set(LETTER_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown placeholder ${unknown[0]}; known: {', '.join(LETTER_FIELDS)}"
            )
        return text
