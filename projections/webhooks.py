"""Webhook registrations and their dead letters, kept in the views DB next to their positions.

They live in the views DB, not in the log: a registration is an operator's setting, not a fact of
a contest, and its signing secret must be deletable, which an immutable log cannot promise.
The secret is sealed (AES-GCM) under the deployment's secrets key, which lives outside the file:
a copy of the views DB does not give it away. Secrets registered before were kept in clear; the
first open seals them.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from urllib.parse import urlsplit
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict

from domain.contract import check_names
from domain.errors import KonkursError
from projections.subscriber import acknowledge, acknowledged, forget
from projections.views_db import ViewsDB, transaction
from store.secret_box import InvalidTag, SecretBox

TABLES = (
    "CREATE TABLE IF NOT EXISTS webhooks (name TEXT PRIMARY KEY, id TEXT NOT NULL, "
    "url TEXT NOT NULL, types TEXT NOT NULL, contest TEXT, secret TEXT NOT NULL, "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS webhook_dead_letters (webhook TEXT NOT NULL, "
    "position INTEGER NOT NULL, event TEXT NOT NULL, body TEXT NOT NULL, "
    "attempts INTEGER NOT NULL, error TEXT NOT NULL, failed_at TEXT NOT NULL, "
    "PRIMARY KEY (webhook, position))",
)
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


class WebhookError(KonkursError):
    """A webhook that cannot be added, found or replayed as asked."""


class Webhook(BaseModel):
    """Where to POST which events, and the secret that signs them."""

    model_config = ConfigDict(frozen=True)

    name: str
    id: UUID
    url: str
    types: list[str]
    contest: str | None
    secret: str
    created_at: datetime

    @property
    def consumer(self) -> str:
        """Its name in the subscriptions table."""
        return f"webhook:{self.name}"


class DeadLetter(BaseModel):
    """A delivery that kept failing: the exact body, kept to replay."""

    model_config = ConfigDict(frozen=True)

    webhook: str
    position: int
    event: str
    body: str
    attempts: int
    error: str
    failed_at: datetime


def new_webhook(name: str, url: str, types: Sequence[str], contest: str | None, secret: str
                ) -> Webhook:
    return checked(Webhook(name=name, id=uuid4(), url=url, types=list(types), contest=contest,
                           secret=secret, created_at=datetime.now(UTC)))


def checked(webhook: Webhook) -> Webhook:
    """The webhook, or an error naming what is wrong with it."""
    if not NAME.fullmatch(webhook.name):
        raise WebhookError(f"webhook name {webhook.name!r}: use lower-case letters, digits, '.', "
                           "'_' and '-', up to 63 characters")
    parts = urlsplit(webhook.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"webhook URL {webhook.url!r}: give an http:// or https:// URL with a host")
    if not webhook.types:
        raise WebhookError("name at least one event type with --type (see docs/events.md)")
    check_names(webhook.types)
    return webhook


class WebhookStore:
    """The registrations, their positions and dead letters, in one views DB."""

    def __init__(self, views_db: ViewsDB, secrets_key: bytes) -> None:
        self.views_db = views_db
        self._box = SecretBox(secrets_key, b"konkurs webhook secrets")
        self._sealed_all = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with self.views_db.connect() as connection:
            # Deleted rows (secrets, letters holding events) are overwritten, not left in free pages.
            connection.execute("PRAGMA secure_delete = ON")
            for table in TABLES:
                connection.execute(table)
            if not self._sealed_all:
                self._seal_clear_secrets(connection)
                self._sealed_all = True
            yield connection

    def _seal_clear_secrets(self, connection: sqlite3.Connection) -> None:
        clear = [(name, secret) for name, secret in connection.execute("SELECT name, secret FROM webhooks")
                 if not SecretBox.is_sealed(secret)]
        if not clear:
            return
        with transaction(connection) as cursor:
            cursor.executemany("UPDATE webhooks SET secret = ? WHERE name = ? AND secret = ?",
                               [(self._box.seal(secret, name), name, secret) for name, secret in clear])
        # Once: the clear secrets leave the file's free pages and its write-ahead log. Another
        # process reading the file can keep this from finishing; the next open tries nothing more.
        with contextlib.suppress(sqlite3.OperationalError):
            connection.execute("VACUUM")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _webhook(self, row: tuple[str, ...]) -> Webhook:
        # Columns are in the order of the model's fields; types are stored space-separated.
        fields = dict(zip(Webhook.model_fields, row, strict=True))
        name, secret = fields["name"], fields["secret"]
        try:
            opened = self._box.open(secret, name) if SecretBox.is_sealed(secret) else secret
        except InvalidTag:
            raise WebhookError(f"webhook {name!r}: its secret was sealed under another "
                               "KONKURS_SECRETS_KEY; set that key, or remove the webhook and add "
                               "it again") from None
        return Webhook.model_validate({**fields, "types": fields["types"].split(), "secret": opened})

    def add(self, webhook: Webhook, start: int) -> None:
        """Register `webhook`, to deliver the events recorded after position `start`."""
        checked(webhook)
        with self._connect() as connection, transaction(connection) as cursor:
            if cursor.execute("SELECT 1 FROM webhooks WHERE name = ?", (webhook.name,)).fetchone():
                raise WebhookError(f"a webhook named {webhook.name!r} exists; remove it first")
            cursor.execute(
                "INSERT INTO webhooks VALUES (?, ?, ?, ?, ?, ?, ?)",
                (webhook.name, str(webhook.id), webhook.url, " ".join(webhook.types), webhook.contest,
                 self._box.seal(webhook.secret, webhook.name), webhook.created_at.isoformat()))
            acknowledge(cursor, webhook.consumer, start, rewind=True)

    def all(self) -> list[Webhook]:
        with self._connect() as connection:
            return [self._webhook(row) for row in connection.execute("SELECT * FROM webhooks ORDER BY name")]

    def get(self, name: str) -> Webhook:
        with self._connect() as connection:
            row = connection.execute("SELECT * FROM webhooks WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise WebhookError(f"no webhook named {name!r}; see `konkurs webhooks list`")
        return self._webhook(row)

    def position(self, webhook: Webhook) -> int:
        with self._connect() as connection:
            return acknowledged(connection, webhook.consumer)

    def remove(self, name: str) -> int:
        """Forget the webhook, its position and its dead letters; returns how many letters."""
        webhook = self.get(name)
        with self._connect() as connection, transaction(connection) as cursor:
            cursor.execute("DELETE FROM webhooks WHERE name = ?", (name,))
            forget(cursor, webhook.consumer)
            return cursor.execute("DELETE FROM webhook_dead_letters WHERE webhook = ?", (name,)).rowcount

    def bury(self, letter: DeadLetter) -> None:
        with self._connect() as connection, transaction(connection) as cursor:
            cursor.execute(
                "INSERT OR REPLACE INTO webhook_dead_letters VALUES (?, ?, ?, ?, ?, ?, ?)",
                (letter.webhook, letter.position, letter.event, letter.body, letter.attempts,
                 letter.error, letter.failed_at.isoformat()))

    def forget(self, letter: DeadLetter) -> None:
        with self._connect() as connection, transaction(connection) as cursor:
            cursor.execute("DELETE FROM webhook_dead_letters WHERE webhook = ? AND position = ?",
                           (letter.webhook, letter.position))

    def dead_letters(self, name: str, positions: Sequence[int] | None = None) -> list[DeadLetter]:
        """The webhook's dead letters in log order; only `positions` when given."""
        self.get(name)
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT * FROM webhook_dead_letters WHERE webhook = ? ORDER BY position", (name,))
            letters = [_letter(row) for row in rows]
        if positions is None:
            return letters
        missing = sorted(set(positions) - {letter.position for letter in letters})
        if missing:
            raise WebhookError(f"webhook {name!r} has no dead letter at position {missing[0]}; "
                               f"see `konkurs webhooks dead {name}`")
        return [letter for letter in letters if letter.position in positions]

    def dead_counts(self) -> dict[str, int]:
        with self._connect() as connection:
            return dict(connection.execute(
                "SELECT webhook, count(*) FROM webhook_dead_letters GROUP BY webhook").fetchall())


def _letter(row: tuple[object, ...]) -> DeadLetter:
    return DeadLetter.model_validate(dict(zip(DeadLetter.model_fields, row, strict=True)))
