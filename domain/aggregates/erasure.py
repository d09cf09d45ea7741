"""That a natural person's particulars were erased: who erased them (the event's actor), when and
why. It names the person as `konkurs forget` does (`expert:<contest>/<id>`,
`applicant:<contest>/<reference>`), never by name: see `domain.personal`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event

from domain.ids import business_id
from domain.model import Aggregate


def erasure_id(contest: str, person: str, command_id: str) -> Any:
    return business_id("erasure", contest, person, command_id)


class Erasure(Aggregate):
    if TYPE_CHECKING:  # the @event decorator below creates this class
        Recorded: ClassVar[type[Aggregate.Event]]

    @event("Recorded")
    def __init__(self, contest: str, person: str, request: str, reason: str, command_id: str) -> None:
        """`request` is the person named in the request; `person` may be another record of them
        (a promoted submission's copy in its federal stage)."""
        self.contest = contest
        self.person = person
        self.request = request
        self.reason = reason
        self.command_id = command_id

    @staticmethod
    def create_id(contest: str, person: str, command_id: str, **_: Any) -> Any:
        return erasure_id(contest, person, command_id)
