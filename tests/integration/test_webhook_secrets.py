"""Webhook signing secrets at rest: sealed under the deployment's secrets key, so the views file
never holds them, while every POST is still signed with them; secrets kept in clear by earlier
releases are sealed the first time the file is opened."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest

from projections import ViewsDB
from projections.webhook_delivery import RetryPolicy
from projections.webhook_runner import WebhookRunner
from projections.webhooks import TABLES, WebhookError, WebhookStore, new_webhook
from services.konkurs import Konkurs
from tests.feeds import collecting, submit
from tests.receiver import Receiver

SECRET = "whsec-Zq8v3Lr2kT0pX9nB"
KEY = b"the deployment's secrets key"
QUICK = RetryPolicy(attempts=2, backoff=0.01, cap=0.02, timeout=2)


def file_bytes(views_db: ViewsDB) -> bytes:
    """The views file with its write-ahead log and shared memory, as a copy of the disk holds them."""
    return b"".join(path.read_bytes() for path in sorted(views_db.path.parent.glob(views_db.path.name + "*")))


@pytest.fixture
def views_db(tmp_path: Path) -> ViewsDB:
    return ViewsDB(tmp_path / "views.db")


def test_the_secret_is_not_in_the_views_file_yet_every_post_is_signed_with_it(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    webhooks = WebhookStore(views_db, KEY)
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(3))
    with Receiver() as receiver:
        webhooks.add(new_webhook("portal", receiver.url, ["submission.submitted"], None, SECRET), 0)
        [outcome] = WebhookRunner(konkurs.store, webhooks, QUICK).once()

    assert outcome.delivered == 3
    assert all(post.signed_with(SECRET) for post in receiver.received)
    assert SECRET.encode() not in file_bytes(views_db)
    with sqlite3.connect(views_db.path) as db:
        [(stored,)] = db.execute("SELECT secret FROM webhooks")
    assert stored.startswith("aesgcm1:") and SECRET not in stored
    assert WebhookStore(views_db, KEY).get("portal").secret == SECRET


def test_a_secret_kept_in_clear_before_is_sealed_when_the_file_is_opened(views_db: ViewsDB) -> None:
    with views_db.connect() as connection:
        for table in TABLES:
            connection.execute(table)
        connection.execute("INSERT INTO webhooks VALUES (?, ?, ?, ?, ?, ?, ?)",
                           ("legacy", str(uuid4()), "https://portal.example.org/hooks",
                            "submission.submitted", None, SECRET, datetime.now(UTC).isoformat()))
    assert SECRET.encode() in file_bytes(views_db)

    [webhook] = WebhookStore(views_db, KEY).all()

    assert webhook.secret == SECRET
    assert SECRET.encode() not in file_bytes(views_db)
    assert WebhookStore(views_db, KEY).get("legacy").secret == SECRET


def test_another_secrets_key_is_refused_in_one_line(views_db: ViewsDB) -> None:
    WebhookStore(views_db, KEY).add(new_webhook("portal", "https://portal.example.org/hooks",
                                                ["submission.submitted"], None, SECRET), 0)

    with pytest.raises(WebhookError, match="sealed under another KONKURS_SECRETS_KEY") as refused:
        WebhookStore(views_db, b"another key").get("portal")
    assert "\n" not in str(refused.value)
