"""One announcement letter of a contest to one addressee, recorded for mailer services to send."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event
from pydantic import Field

from domain.ids import business_id
from domain.model import Aggregate
from domain.spec.announcement import Addressee, LetterParticulars


def announcement_id(contest: str, addressee: Addressee) -> UUID:
    return business_id(
        "announcement", contest, addressee.region or "", addressee.name, addressee.email or ""
    )


class Announcement(Aggregate):
    class AnnouncementIssued(Aggregate.Created):
        """v2 carries the letter's particulars (number, date, sender, signatory): None when its
        spec gave none, and in letters recorded before letters carried them."""

        class_version: ClassVar[int] = 2
        contest: str
        addressee: Addressee
        subject: str
        text: str
        command_id: str
        particulars: LetterParticulars | None = Field(
            description="The signed letter's number, date, sender and signatory; null if its spec gave none.")

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["particulars"] = None

    @event(AnnouncementIssued)
    def __init__(
        self, contest: str, addressee: Addressee, subject: str, text: str, command_id: str,
        particulars: LetterParticulars | None = None,
    ) -> None:
        self.contest = contest
        self.addressee = addressee
        self.subject = subject
        self.text = text
        self.command_id = command_id
        self.particulars = particulars

    @staticmethod
    def create_id(contest: str, addressee: Addressee, **_: Any) -> Any:
        return announcement_id(contest, addressee)
