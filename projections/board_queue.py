"""What a stage's operator board reads besides the board itself: submissions by status in each
nomination, and the screening queue. Aggregate queries over the board view, so a stage of
thousands of submissions answers in milliseconds."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from projections.models import ReadModel
from projections.queries import contest_row, reading
from projections.views_db import ViewsDB, table_exists

STATUSES = ("draft", "submitted", "admitted", "rejected", "withdrawn")
QUEUE_SHOWN = 50


class NominationStatuses(ReadModel):
    code: str
    title: str
    counts: dict[str, int] = Field(description="Submissions by status: " + ", ".join(STATUSES))


class Queued(ReadModel):
    reference: str
    nomination: str
    title: str | None
    applicant: str | None
    filed_at: datetime | None


class ScreeningQueue(ReadModel):
    total: int = Field(description="Filed and not screened yet")
    first: list[Queued] = Field(description="The longest waiting, in the order they were filed")


class ExpertProgress(ReadModel):
    expert: str
    assigned: int
    recorded: int
    recused: int


def judging_progress(db: ViewsDB, slug: str, up_to: int) -> list[ExpertProgress] | None:
    """Each expert's assignments, the cards they recorded up to log position `up_to` on the
    submissions still assigned to them (as the ranking counts them), and their recusals; None
    before judging has opened."""
    with reading(db) as connection:
        contest_row(connection, "board_contests", slug)
        opened = connection.execute("SELECT 1 FROM board_judgings WHERE slug = ? LIMIT 1", (slug,))
        if opened.fetchone() is None:
            return None
        rows = connection.execute(
            "SELECT a.expert, SUM(a.recused = 0), SUM(a.recused = 0 AND c.position <= ?), SUM(a.recused) "
            "FROM board_assignments a LEFT JOIN board_cards c ON c.slug = a.slug "
            "AND c.submission = a.submission AND c.expert = a.expert "
            "WHERE a.slug = ? GROUP BY a.expert ORDER BY a.expert", (up_to, slug)).fetchall()
    return [ExpertProgress(expert=expert, assigned=assigned, recorded=recorded or 0, recused=recused)
            for expert, assigned, recorded, recused in rows]



def statuses_by_nomination(db: ViewsDB, slug: str) -> list[NominationStatuses]:
    with reading(db) as connection:
        contest_row(connection, "board_contests", slug)
        counts: dict[str, dict[str, int]] = {}
        for nomination, status, count in connection.execute(
            "SELECT nomination, status, COUNT(*) FROM board_submissions WHERE slug = ? "
            "GROUP BY nomination, status", (slug,),
        ):
            counts.setdefault(nomination, dict.fromkeys(STATUSES, 0))[status] = count
        nominations = connection.execute(
            "SELECT code, title FROM board_nominations WHERE slug = ? ORDER BY ordinal", (slug,)
        ).fetchall()
    return [NominationStatuses(code=code, title=title, counts=counts.get(code, dict.fromkeys(STATUSES, 0)))
            for code, title in nominations]


def screening_queue(db: ViewsDB, slug: str, shown: int = QUEUE_SHOWN) -> ScreeningQueue:
    with reading(db) as connection:
        contest_row(connection, "board_contests", slug)
        total = connection.execute(
            "SELECT COUNT(*) FROM board_submissions WHERE slug = ? AND status = 'submitted'", (slug,)
        ).fetchone()[0]
        described = table_exists(connection, "results_submissions")
        rows = connection.execute(
            "SELECT b.reference, b.nomination, b.filed_at, "
            + ("s.title, s.applicant FROM board_submissions b LEFT JOIN results_submissions s "
               "ON s.slug = b.slug AND s.reference = b.reference " if described else
               "NULL AS title, NULL AS applicant FROM board_submissions b ")
            + "WHERE b.slug = ? AND b.status = 'submitted' ORDER BY b.filed_at, b.reference LIMIT ?",
            (slug, shown),
        ).fetchall()
    return ScreeningQueue(total=total, first=[Queued(**dict(row)) for row in rows])
