"""The participation drive's municipal reports: an association's or a region's system sends the
written reports it received, and reads which are still missing. The same service command as
`konkurs participation report` and `konkurs import reports`, with the caller as its actor."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from domain.commands.participation import MunicipalReportRow, RecordMunicipalReports, ReportsRecorded
from konkurs.api.context import Caller, Context
from projections.participation_models import MunicipalReports
from projections.participation_queries import municipal_reports

router = APIRouter(tags=["participation"])

MOST_REPORTS = 5000  # more than the municipalities of the largest region


class Reports(BaseModel):
    reports: list[MunicipalReportRow] = Field(
        min_length=1, max_length=MOST_REPORTS,
        description="Municipalities' written reports; all are checked before any is recorded, and one "
                    "already recorded with the same date and reference is left as it is")


@router.post("/contests/{slug}/participation/reports",
             summary="Record municipalities' written reports asked for by participation.report_by "
                     "(operators)")
def record_reports(slug: str, body: Reports, context: Context, actor: Caller) -> ReportsRecorded:
    rows = [(f"reports[{index}]", report) for index, report in enumerate(body.reports)]
    return context.services.participation.record_reports(
        RecordMunicipalReports(slug=slug, rows=rows, actor=actor))


@router.get("/contests/{slug}/participation/reports",
            summary="The municipal reports asked for: received, and still missing per region "
                    "(operators and auditors)")
def read_reports(slug: str, context: Context, actor: Caller) -> MunicipalReports:
    context.services.contests.require_reader(actor, slug, "read the municipal reports")
    return municipal_reports(context.views(), slug)
