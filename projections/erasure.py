"""Scrubbing the views file after an erasure: the read models that copied a person's name, and
the webhook deliveries kept to replay, read as erased; then the file is compacted, so the old
rows leave its free pages and its write-ahead log as well.

The results view's `applicant` column is the only view column that holds a name; the webhook
dead letters hold whole events. A view that copies a name must be scrubbed here too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from uuid import UUID

from domain.contract import event_classes
from domain.personal import ERASED, erase, holder_of
from projections.views_db import ViewsDB, table_exists, transaction


def scrub(views_db: ViewsDB, records: Sequence[UUID]) -> bool:
    """Make the aggregates' particulars read as erased in the views file, then compact it.
    False when another process kept the file from being compacted (run it again later)."""
    ids = {str(record) for record in records}
    with views_db.connect() as connection:
        connection.execute("PRAGMA secure_delete = ON")
        with transaction(connection) as cursor:
            if table_exists(connection, "results_submissions"):
                cursor.executemany("UPDATE results_submissions SET applicant = ? WHERE submission_id = ?",
                                   [(ERASED, record) for record in sorted(ids)])
                cursor.executemany("UPDATE results_submissions SET nominee = ? WHERE submission_id = ? "
                                   "AND nominee IS NOT NULL", [(ERASED, record) for record in sorted(ids)])
            if table_exists(connection, "webhook_dead_letters"):
                _scrub_dead_letters(cursor, ids)
        try:
            connection.execute("VACUUM")
            busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.OperationalError:
            return False
    return int(busy) == 0


def _scrub_dead_letters(cursor: sqlite3.Cursor, ids: set[str]) -> None:
    letters = cursor.execute("SELECT webhook, position, event, body FROM webhook_dead_letters").fetchall()
    for webhook, position, name, body in letters:
        event = json.loads(body)
        holder = holder_of(event_classes()[name]) if name in event_classes() else None
        particulars = event.get("data", {}).get(holder) if holder else None
        if event.get("aggregate_id") not in ids or not isinstance(particulars, dict):
            continue
        erase(particulars)
        cursor.execute("UPDATE webhook_dead_letters SET body = ? WHERE webhook = ? AND position = ?",
                       (json.dumps(event, ensure_ascii=False, separators=(",", ":")), webhook, position))
