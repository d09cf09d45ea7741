"""An expert on a contest's roster: who they are, where from, which panels they may sit on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Literal

from eventsourcing.domain import event
from pydantic import Field

from domain.ids import business_id
from domain.model import Aggregate, Value
from domain.regions import RegionCode


class ExpertProfile(Value):
    id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1)
    organisation: str = Field(min_length=1)
    inn: str | None = Field(default=None, pattern=r"^(\d{10}|\d{12})$")
    region: RegionCode
    municipality: str | None = None
    level: Literal["federal", "regional"]
    directions: list[str] = Field(
        min_length=1, description="Direction or nomination codes whose panels the expert sits on"
    )


def expert_id(slug: str, expert: str) -> Any:
    return business_id("expert", slug, expert)


class Expert(Aggregate):
    if TYPE_CHECKING:  # the @event decorators below create these classes
        Enrolled: ClassVar[type[Aggregate.Event]]
        ProfileChanged: ClassVar[type[Aggregate.Event]]

    @event("Enrolled")
    def __init__(self, contest: str, profile: ExpertProfile) -> None:
        self.contest = contest
        self.profile = profile

    @staticmethod
    def create_id(contest: str, profile: ExpertProfile, **_: Any) -> Any:
        return expert_id(contest, profile.id)

    def update(self, profile: ExpertProfile) -> None:
        if profile != self.profile:
            self._profile_changed(profile=profile)

    @event("ProfileChanged")
    def _profile_changed(self, profile: ExpertProfile) -> None:
        self.profile = profile
