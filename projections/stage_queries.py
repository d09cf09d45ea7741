"""What operators ask about stages: who has promoted into a federal stage, and who has not."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pydantic import Field

from domain.regions import region_name
from projections.models import ReadModel
from projections.queries import reading
from projections.views_db import ViewsDB, table_exists


class StageLink(ReadModel):
    federal: str
    stage: str
    region: str | None
    region_name: str | None
    phase: str | None
    status: str = Field(description="waiting, promoted, refused, or disputed: the two ends disagree")
    promoted: int = Field(description="Entries the federal stage took, once both ends agree")
    reason: str | None


def stage_links(db: ViewsDB, slug: str) -> list[StageLink]:
    """A federal stage's regional stages, or a regional stage's link to its federal stage."""
    with reading(db) as connection:
        if not table_exists(connection, "stage_links"):
            return []
        rows = connection.execute(
            "SELECT l.*, c.phase AS phase FROM stage_links l "
            "LEFT JOIN board_contests c ON c.slug = l.stage "
            "WHERE l.federal = ? OR l.stage = ? ORDER BY l.federal, l.region, l.stage",
            (slug, slug),
        ).fetchall()
    return [
        StageLink(federal=r["federal"], stage=r["stage"], region=r["region"],
                  region_name=region_name(r["region"]), phase=r["phase"], **_promotion(r))
        for r in rows
    ]


def _promotion(row: sqlite3.Row) -> dict[str, Any]:
    """A stage counts as promoted only when the federal stage received exactly what the regional
    stage recorded as promoted; a refusal is never overridden by what the federal stage holds."""
    received, sent = (None if row[end] is None else json.loads(row[end]) for end in ("received", "sent"))
    if row["reason"] is not None:
        return {"status": "refused", "promoted": 0, "reason": row["reason"]}
    if received is None or sent is None:
        return {"status": "waiting", "promoted": 0, "reason": None}
    if sorted(received) != sorted(sent):
        return {"status": "disputed", "promoted": 0, "reason": (
            f"{row['federal']} holds [{', '.join(received)}] from {row['stage']}, which promoted "
            f"[{', '.join(sent)}]: see `konkurs audit verify`")}
    return {"status": "promoted", "promoted": len(received), "reason": None}
