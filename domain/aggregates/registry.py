"""One organisation's entry in a registry, such as the registry of social-service providers."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import event
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from domain.ids import business_id
from domain.model import Aggregate, Value
from domain.regions import REGION_CODES, RegionCode

_INN_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_check_problem(inn: str) -> str | None:
    """Why `inn` is not a valid INN, or None. The last one or two digits are check digits, so
    a typo in a registry file is caught here instead of silently turning an applicant away."""
    if not inn.isdigit() or len(inn) not in (10, 12):
        return f"INN must be 10 or 12 digits, got {inn!r}"
    digits = [int(d) for d in inn]
    checked = [len(inn) - 1] if len(inn) == 10 else [10, 11]
    for position in checked:
        weights = _INN_WEIGHTS[-position:]
        expected = sum(w * d for w, d in zip(weights, digits[:position], strict=True)) % 11 % 10
        if digits[position] != expected:
            return f"INN {inn} has a wrong check digit (a typo?)"
    return None


def padded_inn(value: object) -> object:
    """Excel shows an INN as a number and drops its leading zero (regions 01–09)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) in (9, 11):
        return "0" + value.strip()
    return value.strip() if isinstance(value, str) else value


def spreadsheet_date(value: object) -> object:
    """ISO dates, or Russian `dd.mm.yyyy` as Excel writes them; an empty cell is no date."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            if "." in text:
                return datetime.strptime(text, "%d.%m.%Y").date()
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a date: {text!r}; write 2025-03-01 or 01.03.2025") from None
    return value


def _valid_inn(inn: str) -> str:
    problem = inn_check_problem(inn)
    if problem:
        raise ValueError(problem)
    return inn


def _known_region(code: str) -> str:
    if code not in REGION_CODES:
        raise ValueError(f"unknown region code {code!r}; e.g. '75'")
    return code


Inn = Annotated[str, BeforeValidator(padded_inn), AfterValidator(_valid_inn)]
SheetDate = Annotated[date, BeforeValidator(spreadsheet_date)]


class RegistryRow(Value):
    """What a registry says of one organisation: in it from `entered_on`, until `removed_on`."""

    inn: Inn
    name: str = Field(min_length=1)
    region: Annotated[RegionCode, AfterValidator(_known_region)]
    entered_on: SheetDate
    removed_on: Annotated[date | None, BeforeValidator(spreadsheet_date)] = None

    @model_validator(mode="after")
    def _removed_after_entered(self) -> RegistryRow:
        if self.removed_on is not None and self.removed_on <= self.entered_on:
            raise ValueError(f"removed_on {self.removed_on} is not after entered_on {self.entered_on}")
        return self


def registry_entry_id(registry: str, inn: str) -> UUID:
    return business_id("registry-entry", registry, inn)


class RegistryEntry(Aggregate):
    if TYPE_CHECKING:  # the @event decorators below create these classes
        Entered: ClassVar[type[Aggregate.Event]]
        Revised: ClassVar[type[Aggregate.Event]]

    @event("Entered")
    def __init__(self, registry: str, row: RegistryRow) -> None:
        self.registry = registry
        self.row = row

    @staticmethod
    def create_id(registry: str, row: RegistryRow, **_: Any) -> Any:
        return registry_entry_id(registry, row.inn)

    def revise(self, row: RegistryRow) -> None:
        if row != self.row:
            self._revised(row=row)

    @event("Revised")
    def _revised(self, row: RegistryRow) -> None:
        self.row = row
