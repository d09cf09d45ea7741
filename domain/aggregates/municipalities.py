"""A region's roster of municipalities, imported from reference data and keyed by OKTMO code, and
the written reports municipalities send on the work done for a participation drive."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event
from pydantic import Field

from domain.errors import KonkursError
from domain.ids import business_id
from domain.model import Aggregate, Value


class Municipality(Value):
    oktmo: str = Field(pattern=r"^\d{8}(\d{3})?$", description="OKTMO code: 8 or 11 digits")
    name: str = Field(min_length=1)


def roster_id(region: str) -> Any:
    return business_id("municipalities", region)


class MunicipalRoster(Aggregate):
    """Each import lists the region's whole roster; only a roster that changed is written again."""

    if TYPE_CHECKING:  # the @event decorators below create these classes
        Listed: ClassVar[type[Aggregate.Event]]
        Revised: ClassVar[type[Aggregate.Event]]

    @event("Listed")
    def __init__(self, region: str, municipalities: list[Municipality]) -> None:
        self.region = region
        self.municipalities = municipalities

    @staticmethod
    def create_id(region: str, **_: Any) -> Any:
        return roster_id(region)

    @property
    def names(self) -> dict[str, str]:
        """OKTMO code → name."""
        return {m.oktmo: m.name for m in self.municipalities}

    def differs_from(self, municipalities: list[Municipality]) -> bool:
        return sorted(self.municipalities, key=_code) != sorted(municipalities, key=_code)

    def revise(self, municipalities: list[Municipality]) -> None:
        if self.differs_from(municipalities):
            self._revised(region=self.region, municipalities=municipalities)

    @event("Revised")
    def _revised(self, region: str, municipalities: list[Municipality]) -> None:
        """The region is repeated so that each event reads alone, as projections read them."""
        self.municipalities = municipalities


def _code(municipality: Municipality) -> str:
    return municipality.oktmo


class UnknownMunicipality(KonkursError):
    """A submission names a municipality that its region's roster does not list."""


def report_id(contest: str, oktmo: str) -> Any:
    return business_id("municipal-report", contest, oktmo)


class MunicipalReport(Aggregate):
    """A municipality's written report on the work done, asked for by the drive's `report_by`:
    one per municipality and contest, recorded by the operator who received it."""

    if TYPE_CHECKING:
        Received: ClassVar[type[Aggregate.Event]]

    @event("Received")
    def __init__(self, contest: str, region: str, oktmo: str, received: date, reference: str) -> None:
        self.contest = contest
        self.region = region
        self.oktmo = oktmo
        self.received = received
        self.reference = reference

    @staticmethod
    def create_id(contest: str, oktmo: str, **_: Any) -> Any:
        return report_id(contest, oktmo)
