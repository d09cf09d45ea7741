"""Municipalities from reference data: `oktmo;name;region`, as Excel CSV or JSON Lines."""

from __future__ import annotations

from pathlib import Path

from domain.commands.registry import MunicipalityRow
from konkurs.tables import read_rows, to_forms

MUNICIPALITY_COLUMNS = ("oktmo", "name", "region")


def municipality_rows(path: Path) -> list[tuple[str, MunicipalityRow]]:
    return to_forms(read_rows(path, MUNICIPALITY_COLUMNS), dict, MunicipalityRow)
