"""Personal data: which recorded fields identify a natural person, and how a person is named.

An expert is always a natural person; an applicant is one when its kind is `person` or it gives
an age (organisations have none). Their name and INN identify them, so the store seals those
fields under a key of that person's own, kept outside the log: destroying the key erases them
while the stored bytes, and the hash chain over them, stay as they were. Everything the rules
decide with (ids, region, municipality, organisation, directions, level, kind, age) stays
in clear.

A person is named `expert:<contest>/<expert id>`, `applicant:<contest>/<reference>` or
`nominee:<contest>/<reference>`; the key is that of the expert's or the submission's aggregate
(a submission's person applicant and nominee share it: forgetting one forgets both).
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
    Submission.Revised: "applicant",
}


NOMINEE = "nominee"
"""A submission's nominee (a personal nomination's person) is always a natural person: their name
is sealed under the submission's key, with a person applicant's particulars when there are both."""


def holder_of(event_class: type) -> str | None:
    """The field of the event's state that may hold a person's particulars, if any."""
    return _HOLDERS.get(event_class)


def holder_fields(event_class: type) -> tuple[str, ...]:
    """Every field of the event's state that may hold a person's particulars."""
    holder = _HOLDERS.get(event_class)
    if holder is None:
        return ()
    return (holder, NOMINEE) if event_class in (Submission.Submitted, Submission.Revised) else (holder,)


def personal_holders(event_class: type, state: Mapping[str, Any]) -> list[str]:
    """The fields of `state` holding a natural person's particulars, in order."""
    return [holder for holder in holder_fields(event_class)
            if state.get(holder) and (holder != "applicant" or is_natural_person(state[holder]))]


def personal_holder(event_class: type, state: Mapping[str, Any]) -> str | None:
    """The first field of `state` holding a natural person's particulars, or None when the
    event records no natural person."""
    holders = personal_holders(event_class, state)
    return holders[0] if holders else None


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

    kind: Literal["expert", "applicant", "nominee"]
    contest: str = Field(min_length=1)
    id: str = Field(min_length=1, description="The expert's id, or the submission's reference")

    @classmethod
    def parse(cls, text: str) -> Person:
        kind, _, rest = text.partition(":")
        contest, _, own = rest.partition("/")
        if kind not in ("expert", "applicant", "nominee") or not contest or not own:
            raise InvalidCommand(f"cannot read person {text!r}: write expert:<contest>/<expert id>, "
                                 "applicant:<contest>/<submission reference> or "
                                 "nominee:<contest>/<reference>")
        return cls(kind=kind, contest=contest, id=own)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.kind}:{self.contest}/{self.id}"

    @property
    def aggregate_id(self) -> UUID:
        """The aggregate whose events hold the person's particulars; its id names their key."""
        if self.kind == "expert":
            return expert_id(self.contest, self.id)  # type: ignore[no-any-return]
        return submission_id(self.contest, self.id)
