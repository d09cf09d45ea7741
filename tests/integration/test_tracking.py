"""One table of positions for views and subscribers, and views DBs from before it: opened, they
keep every position, so nothing is replayed and no view is rebuilt."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from domain.contract import PublicEvent
from projections import ViewsDB, catch_up, default_views
from projections.subscriber import Subscriber, forget
from services.konkurs import Konkurs
from tests.feeds import collecting, submit

OLD_TRACKING = "CREATE TABLE tracking (view TEXT PRIMARY KEY, position INTEGER NOT NULL)"
OLD_SUBSCRIPTIONS = ("CREATE TABLE subscriptions (consumer TEXT PRIMARY KEY, "
                     "position INTEGER NOT NULL, acknowledged_at TEXT NOT NULL)")


def ignore(event: PublicEvent) -> None:
    pass


def subscriber(konkurs: Konkurs, views_db: ViewsDB, name: str) -> Subscriber:
    return Subscriber(name, ignore, store=konkurs.store, views_db=views_db)


def in_old_layout(current: ViewsDB, path: Path) -> ViewsDB:
    """`current`'s views and positions as the older version wrote them: views' positions in
    `tracking (view, position)`, subscribers' in `subscriptions`."""
    positions = current.positions()
    with current.connect() as source:
        subscribers = source.execute(
            "SELECT consumer, position FROM tracking WHERE consumer NOT LIKE 'view:%'").fetchall()
        schema = source.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
                                "AND type IN ('table', 'index') AND name != 'tracking'").fetchall()
    old = sqlite3.connect(path, isolation_level=None)
    old.execute("ATTACH DATABASE ? AS current", (str(current.path),))
    for kind, name, sql in schema:
        old.execute(sql)
        if kind == "table":
            old.execute(f"INSERT INTO main.{name} SELECT * FROM current.{name}")
    old.execute("DETACH DATABASE current")
    old.execute(OLD_TRACKING)
    old.executemany("INSERT INTO tracking VALUES (?, ?)", positions.items())
    old.execute(OLD_SUBSCRIPTIONS)
    old.executemany("INSERT INTO subscriptions VALUES (?, ?, '2025-01-01T00:00:00+00:00')", subscribers)
    old.close()
    return ViewsDB(path)


def test_views_and_subscribers_share_one_table_without_taking_each_others_positions(
    konkurs: Konkurs, tmp_path: Path
) -> None:
    collecting(konkurs, "alpha")
    views_db = ViewsDB(tmp_path / "views.db")
    catch_up(konkurs.store, views_db, default_views())
    board = subscriber(konkurs, views_db, "board")  # the name of a view, as a subscriber
    assert board.position() == 0
    board.catch_up()
    assert views_db.positions()["board"] == board.position() == konkurs.store.head_position()
    with views_db.connect() as connection:
        tables = {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "subscriptions" not in tables
    with pytest.raises(ValueError, match="view:"):
        subscriber(konkurs, views_db, "view:board")


def test_an_old_views_db_keeps_its_positions_and_rebuilds_nothing(konkurs: Konkurs, tmp_path: Path) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(3))
    reference = ViewsDB(tmp_path / "reference.db")
    catch_up(konkurs.store, reference, default_views())
    subscriber(konkurs, reference, "mailer").catch_up()
    old = in_old_layout(reference, tmp_path / "old.db")

    assert old.positions() == reference.positions()
    assert subscriber(konkurs, old, "mailer").position() == konkurs.store.head_position()
    assert catch_up(konkurs.store, old, default_views()) == 0
    assert old.dump() == reference.dump()

    submit(konkurs, "alpha", range(3, 6))
    for views_db in (reference, old):
        assert catch_up(konkurs.store, views_db, default_views()) > 0
        assert subscriber(konkurs, views_db, "mailer").catch_up() == 6  # each with its acceptance
    assert old.dump() == reference.dump()


def test_a_forgotten_subscriber_starts_again_from_the_beginning(konkurs: Konkurs, tmp_path: Path) -> None:
    collecting(konkurs, "alpha")
    views_db = ViewsDB(tmp_path / "views.db")
    subscriber(konkurs, views_db, "webhook:portal").catch_up()
    with views_db.connect() as connection:
        forget(connection.cursor(), "webhook:portal")
    assert subscriber(konkurs, views_db, "webhook:portal").position() == 0
