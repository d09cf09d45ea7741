"""Orders that import reference data: registries and municipal rosters."""

from __future__ import annotations

from pydantic import Field

from domain.aggregates.registry import RegistryRow
from domain.commands.order import Command
from domain.model import Value
from domain.regions import RegionCode


class ImportRegistry(Command):
    registry: str
    rows: list[tuple[str, RegistryRow]]


class RegistryImport(Value):
    registry: str
    rows: int
    entered: int
    revised: int
    unchanged: int
    not_in_file: int


class MunicipalityRow(Value):
    """One row of a municipalities file: `oktmo;name;region`."""

    oktmo: str = Field(pattern=r"^\d{8}(\d{3})?$", description="OKTMO code: 8 or 11 digits")
    name: str = Field(min_length=1)
    region: RegionCode


class ImportMunicipalities(Command):
    rows: list[tuple[str, MunicipalityRow]]


class RosterImport(Value):
    municipalities: int
    regions: int = Field(description="Regions in the file")
    written: list[str] = Field(description="Regions whose roster was new or changed")
