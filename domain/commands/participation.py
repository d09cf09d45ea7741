"""Orders of the participation drive: recording municipalities' written reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BeforeValidator, Field

from domain.aggregates.registry import spreadsheet_date
from domain.commands.order import Command
from domain.model import Value


class MunicipalReportRow(Value):
    """One municipality's report: from the CLI's options, or a row of a reports file."""

    oktmo: str = Field(pattern=r"^\d{8}(\d{3})?$", description="OKTMO code: 8 or 11 digits")
    received: Annotated[date, BeforeValidator(spreadsheet_date)] = Field(
        description="The day the report came in: 2024-09-27 or 27.09.2024")
    reference: str = Field(default="", description="The letter's outgoing number, e.g. «исх. № 12»")


class RecordMunicipalReports(Command):
    slug: str
    rows: list[tuple[str, MunicipalReportRow]] = Field(description="(where, row): where names the "
                                                       "option or file:line a problem is reported at")


class ReportsRecorded(Value):
    recorded: int
    unchanged: int = Field(description="Reports already recorded with the same date and reference")
    regions: list[str]
