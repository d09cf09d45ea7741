"""Municipalities from reference data: `oktmo;name;region`, as Excel CSV or JSON Lines, the region by its
code or its name."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from domain.commands.registry import MunicipalityRow
from konkurs import column_aliases
from konkurs.tables import Labelled, Row, read_rows, to_forms

MUNICIPALITY_COLUMNS = ("oktmo", "name", "region")


def municipality_rows(path: Path, ignore: Iterable[str] = ()) -> Labelled[MunicipalityRow]:
    def fields(row: Row) -> dict[str, Any]:
        return {**row, "region": column_aliases.region_or_as_written(row["region"])}

    rows = read_rows(path, MUNICIPALITY_COLUMNS, (), aliases=column_aliases.MUNICIPALITIES, ignore=ignore)
    return to_forms(rows, fields, MunicipalityRow)
