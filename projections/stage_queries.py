"""What operators ask about stages: who has promoted into a federal stage, and who has not."""

from __future__ import annotations

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
    status: str
    promoted: int
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
                  region_name=region_name(r["region"]), phase=r["phase"], status=r["status"],
                  promoted=r["promoted"], reason=r["reason"])
        for r in rows
    ]
