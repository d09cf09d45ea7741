"""Personal data: which recorded fields identify a natural person, and how a person is named.

An expert is always a natural person; an applicant is one when its kind is `person` or it gives
an age (organisations have none). Their name and INN identify them, so the store seals those
fields under a key of that person's own, kept outside the log: destroying the key erases them
while the stored bytes, and the hash chain over them, stay as they were. Everything the rules
decide with (ids, region, municipality, organisation, directions, level, kind, age) stays
in clear.

A person is named `expert:<contest>/<expert id>` or `applicant:<contest>/<reference>`; the
key is that of the expert's or the submission's aggregate.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from domain.aggregates.expert import Expert, expert_id
from domain.aggregates.submission import Submission
from domain.errors import InvalidCommand
from domain.ids import submission_id
from domain.value import Value

ERASED = "erased"
"""What an erased name reads as; an erased INN reads as none."""

PERSONAL_FIELDS = ("name", "inn")

# event class → the field of its state that holds the particulars of a (possible) person
_HOLDERS: dict[type, str] = {
    Expert.Enrolled: "profile",
    Expert.ProfileChanged: "profile",
    Submission.Submitted: "applicant",
}


def holder_of(event_class: type) -> str | None:
    """The field of the event's state that may hold a person's particulars, if any."""
    return _HOLDERS.get(event_class)


def personal_holder(event_class: type, state: Mapping[str, Any]) -> str | None:
    """The field of `state` holding a natural person's particulars, or None when the event
    records no natural person."""
    holder = _HOLDERS.get(event_class)
    if holder == "applicant" and not is_natural_person(state[holder]):
        return None
    return holder


def is_natural_person(applicant: Mapping[str, Any]) -> bool:
    return applicant.get("kind") == "person" or applicant.get("age") is not None


def erased_value(field: str) -> str | None:
    """An INN has a pattern a marker would break: an erased one reads as no INN."""
    return None if field == "inn" else ERASED


def erase(particulars: MutableMapping[str, Any]) -> None:
    """Replace the personal fields present in `particulars` with what erased fields read as."""
    for field in PERSONAL_FIELDS:
        if particulars.get(field) is not None:
            particulars[field] = erased_value(field)


class Person(Value):
    """A natural person as `konkurs forget` names them."""

    kind: Literal["expert", "applicant"]
    contest: str = Field(min_length=1)
    id: str = Field(min_length=1, description="The expert's id, or the submission's reference")

    @classmethod
    def parse(cls, text: str) -> Person:
        kind, _, rest = text.partition(":")
        contest, _, own = rest.partition("/")
        if kind not in ("expert", "applicant") or not contest or not own:
            raise InvalidCommand(f"cannot read person {text!r}: write expert:<contest>/<expert id> "
                                 "or applicant:<contest>/<submission reference>")
        return cls(kind=kind, contest=contest, id=own)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.kind}:{self.contest}/{self.id}"

    @property
    def aggregate_id(self) -> UUID:
        """The aggregate whose events hold the person's particulars; its id names their key."""
        if self.kind == "expert":
            return expert_id(self.contest, self.id)  # type: ignore[no-any-return]
        return submission_id(self.contest, self.id)
