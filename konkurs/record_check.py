"""The whole check of a record, as `konkurs audit verify` runs it: the chain, the signed heads,
every contest's recomputation and the views people read.

The CLI prints a `Verdict`; the tamper suite asserts on it, so both judge by the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from domain.audit.models import CheckResult, ContestAudit, Difference
from domain.rules.chain import ChainBreak
from domain.rules.checkpoints import CheckpointReport
from projections.view_audit import with_view_checks
from projections.views_db import ViewsDB
from services.chain import ChainHead
from services.konkurs import Konkurs

Step = Callable[[str], None]  # told what is being checked next, for a progress bar


@dataclass(frozen=True)
class Verdict:
    broken: ChainBreak | None
    head: ChainHead
    anchored: CheckpointReport | None
    audits: list[ContestAudit]

    @property
    def holds(self) -> bool:
        return (self.broken is None and (self.anchored is None or self.anchored.holds)
                and all(audit.holds for audit in self.audits))

    def first_finding(self) -> str | None:
        """The first thing that does not hold, in one line: what a reader should look at first."""
        if self.broken is not None:
            return self.broken.describe()
        if self.anchored is not None and self.anchored.findings:
            return self.anchored.findings[0].describe()
        for audit in self.audits:
            for difference in audit.differences:
                return f"{audit.slug}: {difference.describe()}"
        return None


def verify_record(
    konkurs: Konkurs, views_path: Path, slugs: list[str] | None = None,
    checkpoints: str | None = None, public_key: str | None = None, step: Step | None = None,
) -> Verdict:
    said = step or (lambda _: None)
    said("checking the chain")
    broken = konkurs.chain.verify()
    head = konkurs.chain.extend()
    said("checking the signed heads")
    anchored = None if checkpoints is None else konkurs.checkpoints.verify(checkpoints, public_key)
    slugs = slugs or konkurs.store.contest_slugs()
    try:
        audits = []
        for slug in slugs:
            said(f"recomputing {slug}")
            audits.append(konkurs.audit.audit_contest(slug))
        said("replaying the views")
        audits = with_view_checks(audits, konkurs.store, ViewsDB(views_path))
    except (ValueError, KeyError, TypeError):
        found = Verdict(broken, head, anchored, []).first_finding()
        if found is None:
            raise
        # A row edited past reading stops the recomputation: the break says why, not a traceback.
        audits = [_unread(slug, found) for slug in slugs]
    return Verdict(broken, head, anchored, audits)


def _unread(slug: str, found: str) -> ContestAudit:
    unread = Difference(check="readable", where="the log", recorded="unreadable",
                        recomputed=f"not recomputed, because {found}")
    return ContestAudit(slug=slug, spec_hash="unknown", rules_version="unknown",
                        checks=[CheckResult(check="readable", recomputed=0, differences=[unread])])
