"""The audit report of one contest: the chain, the recomputation, the seals, the operators'
commands and the rejections, assembled once and written as JSON and as one HTML page."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field

from domain.audit.models import ContestAudit
from domain.model import Value
from domain.rules.chain import ChainBreak
from konkurs.audit_html import render_html
from projections.view_audit import with_view_checks
from projections.views_db import ViewsDB
from services.audit_record import CardAuthorship, OperatorCommand, RecordedSeal, RejectionCounts
from services.konkurs import Konkurs

Verdict = Literal["verified", "differences found", "chain broken"]


class ChainHeadRecord(Value):
    position: int = Field(description="Last log position linked")
    link: str = Field(description="Its chain link, hex: what `konkurs audit head` prints")


class ChainBreakRecord(Value):
    position: int
    kind: str = Field(description="edited, deleted, inserted, reordered or versions")
    detail: str
    description: str


class AuditReport(Value):
    generated_at: datetime
    slug: str
    title: str
    spec_hash: str = Field(description="Fingerprint of the spec announced")
    verdict: Verdict
    chain_head: ChainHeadRecord
    chain_break: ChainBreakRecord | None = Field(description="None when the chain is intact")
    audit: ContestAudit = Field(description="Every decision recomputed from the log")
    seals: list[RecordedSeal] = Field(description="Chain heads the results events recorded")
    operator_commands: list[OperatorCommand]
    cards: list[CardAuthorship] = Field(description="Who recorded each expert's scorecards")
    rejections: RejectionCounts

    def problem(self) -> str | None:
        """One line saying what failed, or None when everything verified."""
        if self.chain_break is not None:
            return f"chain broken: {self.chain_break.description}"
        differences = self.audit.differences
        if differences:
            more = f" (and {len(differences) - 1} more)" if len(differences) > 1 else ""
            return f"differences found: {differences[0].describe()}{more}"
        return None


def assemble_report(konkurs: Konkurs, slug: str, views_db: ViewsDB) -> AuditReport:
    """Everything the report holds; raises UnknownContest before any work for an unknown slug."""
    contest = konkurs.store.get_contest(slug)
    broken = konkurs.chain.verify()
    head = konkurs.chain.extend()
    [audit] = with_view_checks([konkurs.audit.audit_contest(slug)], konkurs.store, views_db)
    record = konkurs.audit_records.audit_record(slug)
    return AuditReport(
        generated_at=datetime.now(UTC), slug=slug, title=contest.spec.title,
        spec_hash=contest.fingerprint, verdict=_verdict(broken, audit),
        chain_head=ChainHeadRecord(position=head.position, link=head.hex),
        chain_break=None if broken is None else ChainBreakRecord(
            position=broken.position, kind=str(broken.kind), detail=broken.detail,
            description=broken.describe()),
        audit=audit, seals=record.seals, operator_commands=record.commands,
        cards=record.cards,
        rejections=record.rejections,
    )


def _verdict(broken: ChainBreak | None, audit: ContestAudit) -> Verdict:
    if broken is not None:
        return "chain broken"
    return "verified" if audit.holds else "differences found"


def report_json(report: AuditReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


def save_report(report: AuditReport, directory: Path) -> tuple[Path, Path]:
    """`<slug>-audit.json` and `<slug>-audit.html` in `directory`, each replaced whole."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / f"{report.slug}-audit.json"
    html_path = directory / f"{report.slug}-audit.html"
    _write_whole(json_path, report_json(report))
    _write_whole(html_path, render_html(report))
    return json_path, html_path


def _write_whole(path: Path, text: str) -> None:
    """A reader never sees half a report: write beside it, then rename over it."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
