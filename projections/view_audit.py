"""Auditing the views people read: the results, tally and board views against the log.

Anyone who can write the views file can change what operators and the public are shown. The
audit runs the same view code over the log again, into a database in memory, up to the position
each view says it has read, and compares every row of each contest. A view behind the log is so
compared as of its own position: lag is noted, never reported as a difference.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from typing import Any

from domain.audit.diff import differences
from domain.audit.models import CheckResult, ContestAudit, Difference
from domain.outcomes import VoteTally
from projections.board_view import BoardView
from projections.models import Tally
from projections.queries import reading
from projections.results_view import ResultsView
from projections.runner import EventLog
from projections.tally_view import TallyView
from projections.view import TableView, topics
from projections.views_db import ViewsDB, stored_schema, table_exists, tracked_position
from projections.vote_queries import read_tally

# How people name a row where the table's key would not: a winner by place, not by reference,
# so a false winner reads as one place with two references, not as two unrelated rows.
ROW_NAMES = {
    "results_submissions": ("reference",),
    "results_rankings": ("nomination", "place"),
    "results_standings": ("kind", "nomination", "place"),
}
COUNTED = ("by_submission", "by_region", "rejected", "late", "accepted")  # the most particular first


def audited_views() -> list[TableView]:
    return [ResultsView(), TallyView(), BoardView()]


def with_view_checks(
    audits: Sequence[ContestAudit], log: EventLog, views_db: ViewsDB
) -> list[ContestAudit]:
    """Each contest's audit with one more check per audited view."""
    if not audits:
        return []
    checks = audit_views(log, views_db, [audit.slug for audit in audits])
    return [audit.model_copy(update={"checks": [*audit.checks, *checks[audit.slug]]})
            for audit in audits]


def audit_views(log: EventLog, views_db: ViewsDB, slugs: Sequence[str]) -> dict[str, list[CheckResult]]:
    """One check per view and contest; the log is replayed once for all of them."""
    views = audited_views()
    if not views_db.path.exists():
        missing = f"no views database at {views_db.path}: nothing to compare"
        return {slug: [_noted(view, missing) for view in views] for slug in slugs}
    # One read transaction: positions and rows come from the same snapshot of the views.
    with reading(views_db) as shown:
        read_to = {view.name: _comparable_position(shown, view) for view in views}
        positions = {name: at for name, at in read_to.items() if isinstance(at, int)}
        lagging = {view.name for view in views if view.name in positions
                   and _lags(log, view, positions[view.name])}
        with _replayed(log, [v for v in views if v.name in positions], positions) as replayed:
            return {slug: [_check(view, read_to[view.name], view.name in lagging,
                                  _rows(shown, view, slug), _rows(replayed, view, slug))
                           for view in views]
                    for slug in slugs}


def tally_as_read(views_db: ViewsDB, slug: str) -> tuple[Tally, int]:
    """The tally view of a contest and the log position it has read to, from one snapshot."""
    with reading(views_db) as connection:
        return read_tally(connection, slug), tracked_position(connection, TallyView.name) or 0


def recount_differences(counted: Tally, recounted: VoteTally) -> list[Difference]:
    shown, again = counted.model_dump(mode="json"), recounted.model_dump(mode="json")
    return [d for part in COUNTED for d in differences("tally view", shown[part], again[part], part)]


def _comparable_position(shown: sqlite3.Connection, view: TableView) -> int | str:
    """The position the view has read to, or why it cannot be compared."""
    position = tracked_position(shown, view.name)
    if position is None or not all(table_exists(shown, table) for table in view.tables):
        return "the view has not been built"
    if stored_schema(shown, view.name) != view.schema:
        return "the view was built by another version of Konkurs; the next read rebuilds it"
    return position


def _lags(log: EventLog, view: TableView, position: int) -> bool:
    return next(iter(log.read_log(topics(view), start=position + 1)), None) is not None


@contextmanager
def _replayed(
    log: EventLog, views: Sequence[TableView], positions: Mapping[str, int]
) -> Iterator[sqlite3.Connection]:
    """The views rebuilt in memory from the log, each only up to its own position."""
    with closing(sqlite3.connect(":memory:", isolation_level=None)) as replayed:
        replayed.row_factory = sqlite3.Row
        cursor = replayed.cursor()
        cursor.execute("BEGIN")
        for view in views:
            view.create(cursor)
        stop = max(positions.values(), default=0)
        wanted = sorted({topic for view in views for topic in topics(view)})
        if wanted and stop > 0:
            for logged in log.read_log(wanted, stop=stop):
                for view in views:
                    if logged.position <= positions[view.name]:
                        view.apply(cursor, logged)
        cursor.execute("COMMIT")
        yield replayed


def _rows(connection: sqlite3.Connection, view: TableView, slug: str) -> dict[str, Any]:
    """A contest's rows of every table of the view, each under a label naming it."""
    if not all(table_exists(connection, table) for table in view.tables):
        return {}
    found: dict[str, list[dict[str, Any]]] = {}
    for table in view.tables:
        naming = ROW_NAMES.get(table) or _key_columns(connection, table)
        for row in connection.execute(f"SELECT * FROM {table} WHERE slug = ?", (slug,)):
            columns = dict(row)
            del columns["slug"]
            label = ", ".join([table, *(f"{name} {columns.pop(name)}" for name in naming)])
            found.setdefault(label, []).append(columns)
    # A label held by two rows (a place given twice) compares as the list of both.
    return {label: rows[0] if len(rows) == 1 else sorted(rows, key=repr) for label, rows in found.items()}


def _key_columns(connection: sqlite3.Connection, table: str) -> list[str]:
    keyed = [(row[5], row[1]) for row in connection.execute(f"PRAGMA table_info({table})") if row[5]]
    return [name for _, name in sorted(keyed) if name != "slug"]


def _check(
    view: TableView, read_to: int | str, lagging: bool, in_view: dict[str, Any], from_log: dict[str, Any]
) -> CheckResult:
    if isinstance(read_to, str):
        return _noted(view, read_to)
    if not in_view and not from_log:
        return _noted(view, f"the view holds nothing of this contest yet (read to position {read_to})")
    notes = [f"compared as of position {read_to}, where the view has read to; the log has more "
             "it has not caught up with"] if lagging else []
    rows = sum(len(row) if isinstance(row, list) else 1 for row in from_log.values())
    return CheckResult(check=_name(view), recomputed=rows, notes=notes,
                       differences=differences(_name(view), in_view, from_log))


def _noted(view: TableView, why: str) -> CheckResult:
    return CheckResult(check=_name(view), recomputed=0, notes=[why])


def _name(view: TableView) -> str:
    return f"{view.name} view"
