"""A consumer that keeps a view slowly, for the test that kills it mid-stream.

    python -m tests.integration.slow_consumer STORE_ENV_JSON VIEWS_DB SECONDS_PER_EVENT [--once]

Follows the log (or, with --once, catches up and exits), inserting one row per event into
`delivered` and sleeping inside the transaction, so a SIGKILL lands mid-batch.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
import threading
import time

from domain.contract import PublicEvent
from projections import ViewsDB
from projections.subscriber import ViewSubscriber
from services.konkurs import Konkurs

DELIVERED = ("CREATE TABLE IF NOT EXISTS delivered (position INTEGER NOT NULL, name TEXT NOT NULL, "
             "aggregate_id TEXT NOT NULL, aggregate_version INTEGER NOT NULL)")


def main() -> None:
    env, views_path, seconds = sys.argv[1:4]
    delay = float(seconds)

    def apply(cursor: sqlite3.Cursor, event: PublicEvent) -> None:
        cursor.execute(DELIVERED)
        cursor.execute("INSERT INTO delivered VALUES (?, ?, ?, ?)",
                       (event.position, event.name, str(event.aggregate_id), event.aggregate_version))
        time.sleep(delay)

    konkurs = Konkurs(env=json.loads(env))
    consumer = ViewSubscriber("slow-view", apply, store=konkurs.store, views_db=ViewsDB(views_path),
                              batch_size=5)
    if "--once" in sys.argv:
        consumer.catch_up()
    else:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        consumer.follow(stop, interval=0.05)
    konkurs.close()


if __name__ == "__main__":
    main()
