"""The announcement letter: to whom it goes, and its text as a template."""

from __future__ import annotations

from string import Template
from typing import Literal

from pydantic import Field, field_validator

from domain.regions import RegionCode
from domain.spec.base import SpecModel

# What a letter template may say; `konkurs spec check` refuses any other placeholder.
LETTER_FIELDS = (
    "title", "slug", "organisers", "addressee", "region", "region_name", "announced",
    "collection_closes", "results_published", "nominations",
)


class Addressee(SpecModel):
    name: str = Field(min_length=1)
    email: str | None = None
    region: RegionCode | None = None


class Announcement(SpecModel):
    """`$title`, `${collection_closes}` and the other LETTER_FIELDS are filled per addressee."""

    addressees: Literal["regional_authorities"] | list[Addressee] = Field(
        default="regional_authorities",
        description="The authorities of the regions the contest is open to, or a list",
    )
    subject: str = Field(min_length=1)
    letter: str = Field(min_length=1)

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
