"""One announcement letter of a contest to one addressee, recorded for mailer services to send."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event

from domain.ids import business_id
from domain.model import Aggregate
from domain.spec.announcement import Addressee


def announcement_id(contest: str, addressee: Addressee) -> UUID:
    return business_id(
        "announcement", contest, addressee.region or "", addressee.name, addressee.email or ""
    )


class Announcement(Aggregate):
    if TYPE_CHECKING:  # the @event decorator below creates this class
        AnnouncementIssued: ClassVar[type[Aggregate.Event]]

    @event("AnnouncementIssued")
    def __init__(
        self, contest: str, addressee: Addressee, subject: str, text: str, command_id: str
    ) -> None:
        self.contest = contest
        self.addressee = addressee
        self.subject = subject
        self.text = text
        self.command_id = command_id

    @staticmethod
    def create_id(contest: str, addressee: Addressee, **_: Any) -> Any:
        return announcement_id(contest, addressee)
