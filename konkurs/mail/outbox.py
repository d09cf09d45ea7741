"""The outbox: every message the events call for, composed once, with its sending state.

A row is inserted in the same transaction as the mailer's position (it is a view kept by a
`ViewSubscriber`), so each event's messages are there exactly once. Its Message-ID comes from the
event's log position and the message's place among that event's messages: composing again (a
second consumer, a rebuilt position) yields the same ids, and `INSERT OR IGNORE` keeps the first.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from domain.errors import KonkursError
from projections.views_db import ViewsDB, transaction

TABLE = (
    "CREATE TABLE IF NOT EXISTS mail_outbox (message_id TEXT PRIMARY KEY, position INTEGER NOT NULL, "
    "seq INTEGER NOT NULL, contest TEXT, event TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, "
    "subject TEXT NOT NULL, body TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', "
    "attempts INTEGER NOT NULL DEFAULT 0, next_try_at REAL NOT NULL DEFAULT 0, last_error TEXT, "
    "sent_at TEXT)"
)
INDEX = "CREATE INDEX IF NOT EXISTS mail_outbox_due ON mail_outbox (state, next_try_at, position, seq)"
PENDING, SENT, DEAD = "pending", "sent", "dead"


class OutboxError(KonkursError):
    """A message that is not in the outbox as asked."""


class Message(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str
    position: int
    seq: int
    contest: str | None
    event: str
    kind: str
    key: str
    subject: str
    body: str
    state: str = PENDING
    attempts: int = 0
    next_try_at: float = 0.0
    last_error: str | None = None
    sent_at: str | None = None

    @property
    def recipient(self) -> str:
        return f"{self.kind} {self.key}"


def message_id(position: int, seq: int, domain: str) -> str:
    """`<POSITION.N.konkurs@DOMAIN>`: the same every time this event is composed."""
    return f"<{position}.{seq}.konkurs@{domain}>"


def ensure(cursor: sqlite3.Cursor | sqlite3.Connection) -> None:
    cursor.execute(TABLE)
    cursor.execute(INDEX)


def insert(cursor: sqlite3.Cursor, messages: Sequence[Message]) -> int:
    """Add composed messages; those already there (same Message-ID) are left as they are."""
    before = cursor.connection.total_changes
    cursor.executemany(
        "INSERT OR IGNORE INTO mail_outbox (message_id, position, seq, contest, event, kind, key, "
        "subject, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(m.message_id, m.position, m.seq, m.contest, m.event, m.kind, m.key, m.subject, m.body)
         for m in messages])
    return cursor.connection.total_changes - before


class Outbox:
    def __init__(self, views_db: ViewsDB) -> None:
        self.views_db = views_db

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self.views_db.connect() as connection:
            ensure(connection)
            yield connection

    def _select(self, where: str, args: Sequence[object], limit: int = -1) -> list[Message]:
        with self._connect() as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(
                f"SELECT * FROM mail_outbox WHERE {where} ORDER BY position, seq LIMIT {int(limit)}", args)
            return [Message.model_validate(dict(row)) for row in rows]

    def due(self, contest: str | None = None, limit: int = 100, now: float | None = None) -> list[Message]:
        """Pending messages whose time has come, in log order."""
        moment = time.time() if now is None else now
        where = "state = 'pending' AND next_try_at <= ?" + (" AND contest = ?" if contest else "")
        args: list[object] = [moment, contest] if contest else [moment]
        return self._select(where, args, limit)

    def counts(self, contest: str | None = None) -> dict[str, int]:
        with self._connect() as connection:
            where, args = ("WHERE contest = ?", (contest,)) if contest else ("", ())
            found = dict(connection.execute(f"SELECT state, count(*) FROM mail_outbox {where} GROUP BY state",
                                            args).fetchall())
        return {state: found.get(state, 0) for state in (PENDING, SENT, DEAD)}

    def next_wait(self, contest: str | None = None) -> float | None:
        """Seconds until the next pending message is due; None if none is pending."""
        with self._connect() as connection:
            where, args = ("AND contest = ?", (contest,)) if contest else ("", ())
            row = connection.execute(
                f"SELECT min(next_try_at) FROM mail_outbox WHERE state = 'pending' {where}", args).fetchone()
        return None if row[0] is None else max(0.0, row[0] - time.time())

    def _update(self, message: Message, sql: str, args: Sequence[object]) -> None:
        with self._connect() as connection, transaction(connection) as cursor:
            cursor.execute(f"UPDATE mail_outbox SET {sql} WHERE message_id = ?", (*args, message.message_id))

    def sent(self, message: Message) -> None:
        self._update(message, "state = 'sent', attempts = attempts + 1, last_error = NULL, sent_at = ?",
                     (datetime.now(UTC).isoformat(timespec="seconds"),))

    def retry(self, message: Message, error: str, wait: float) -> None:
        self._update(message, "attempts = attempts + 1, last_error = ?, next_try_at = ?",
                     (error, time.time() + wait))

    def bury(self, message: Message, error: str, attempted: bool = True) -> None:
        self._update(message, f"state = 'dead', last_error = ?, attempts = attempts + {int(attempted)}",
                     (error,))

    def dead(self, contest: str | None = None) -> list[Message]:
        return self._select("state = 'dead'" + (" AND contest = ?" if contest else ""),
                            [contest] if contest else [])

    def get(self, message_id: str) -> Message:
        found = self._select("message_id = ?", [message_id])
        if not found:
            raise OutboxError(f"no message {message_id} in the outbox; see `konkurs mailer dead`")
        return found[0]

    def resend(self, message_ids: Sequence[str] | None = None) -> int:
        """Queue dead letters again (all, or those named), with fresh attempts; returns how many."""
        letters = self.dead() if message_ids is None else [self.get(m) for m in message_ids]
        alive = [m.message_id for m in letters if m.state != DEAD]
        if alive:
            raise OutboxError(f"message {alive[0]} is not a dead letter; see `konkurs mailer dead`")
        with self._connect() as connection, transaction(connection) as cursor:
            cursor.executemany("UPDATE mail_outbox SET state = 'pending', attempts = 0, next_try_at = 0 "
                               "WHERE message_id = ?", [(m.message_id,) for m in letters])
        return len(letters)
