"""Named subscribers: each resumes after its acknowledged position, filters by name and contest,
and a view kept with its position holds every event exactly once."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from domain.contract import PublicEvent
from projections import ViewsDB
from projections.subscriber import Subscriber, ViewSubscriber
from services.konkurs import Konkurs
from tests.feeds import collecting, submit

SEEN = "CREATE TABLE IF NOT EXISTS seen (position INTEGER, name TEXT, contest TEXT)"


def record_into_view(cursor: sqlite3.Cursor, event: PublicEvent) -> None:
    cursor.execute(SEEN)
    cursor.execute("INSERT INTO seen VALUES (?, ?, ?)", (event.position, event.name, event.contest))


def seen(views_db: ViewsDB) -> list[tuple[int, str, str]]:
    with views_db.connect() as connection:
        connection.execute(SEEN)
        return connection.execute("SELECT * FROM seen ORDER BY rowid").fetchall()


@pytest.fixture
def views_db(tmp_path: Path) -> ViewsDB:
    return ViewsDB(tmp_path / "views.db")


def test_a_subscriber_gets_every_event_in_log_order_and_resumes_after_its_acknowledgement(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(5))
    got: list[PublicEvent] = []
    mailer = Subscriber("mailer", got.append, store=konkurs.store, views_db=views_db)

    assert mailer.catch_up() == konkurs.store.head_position()
    assert [e.position for e in got] == list(range(1, konkurs.store.head_position() + 1))
    assert got[0].name == "contest.announced" and got[0].contest == "alpha"
    assert mailer.position() == konkurs.store.head_position()

    submit(konkurs, "alpha", range(5, 7))
    got.clear()
    again = Subscriber("mailer", got.append, store=konkurs.store, views_db=views_db)
    assert again.catch_up() == 4
    assert [e.data.get("reference") for e in got] == ["alpha-5", None, "alpha-6", None]
    assert [e.name for e in got] == ["submission.submitted", "acceptance.recorded"] * 2


def test_names_and_contest_filter_what_arrives_and_the_position_still_moves_past_the_rest(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    for slug in ("alpha", "beta"):
        collecting(konkurs, slug)
        submit(konkurs, slug, range(3))
    collecting(konkurs, "gamma")  # nothing of alpha's after this
    got: list[PublicEvent] = []
    portal = Subscriber("portal", got.append, store=konkurs.store, views_db=views_db,
                        names=["submission.submitted", "contest.phase_changed"], contest="alpha")

    portal.catch_up()

    assert [(e.name, e.contest) for e in got] == (
        [("contest.phase_changed", "alpha")] + [("submission.submitted", "alpha")] * 3)
    assert portal.position() == konkurs.store.head_position()
    assert Subscriber("other", got.append, store=konkurs.store, views_db=views_db).position() == 0


def test_an_event_whose_handler_fails_is_delivered_again(konkurs: Konkurs, views_db: ViewsDB) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(4))
    delivered: list[int] = []

    def flaky(event: PublicEvent) -> None:
        delivered.append(event.position)
        if event.position == 4 and delivered.count(4) == 1:
            raise ConnectionError("mail server down")

    mailer = Subscriber("mailer", flaky, store=konkurs.store, views_db=views_db)
    with pytest.raises(ConnectionError):
        mailer.catch_up()
    assert mailer.position() == 3
    mailer.catch_up()
    assert delivered == [1, 2, 3, 4, 4, *range(5, konkurs.store.head_position() + 1)]


def test_a_view_rolls_back_with_its_position_when_a_batch_fails_midway(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(10))
    failures = iter([True])

    def fails_once_at_seven(cursor: sqlite3.Cursor, event: PublicEvent) -> None:
        record_into_view(cursor, event)
        if event.position == 7 and next(failures, False):
            raise RuntimeError("crash inside the transaction")

    dashboard = ViewSubscriber("dashboard", fails_once_at_seven, store=konkurs.store, views_db=views_db,
                               batch_size=4)
    with pytest.raises(RuntimeError):
        dashboard.catch_up()
    assert dashboard.position() == 4
    assert [row[0] for row in seen(views_db)] == [1, 2, 3, 4]

    dashboard.catch_up()
    assert [row[0] for row in seen(views_db)] == list(range(1, konkurs.store.head_position() + 1))


def test_two_runners_under_one_name_keep_the_view_exactly_once(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(300), batch=50)
    runners = [ViewSubscriber("dashboard", record_into_view, store=konkurs.store, views_db=views_db,
                              batch_size=7) for _ in range(2)]
    threads = [threading.Thread(target=runner.catch_up) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(row[0] for row in seen(views_db)) == list(range(1, konkurs.store.head_position() + 1))


def test_following_delivers_new_events_until_stopped(
    konkurs: Konkurs, views_db: ViewsDB
) -> None:
    collecting(konkurs, "alpha")
    got: list[PublicEvent] = []
    stop = threading.Event()
    mailer = Subscriber("mailer", got.append, store=konkurs.store, views_db=views_db,
                        names=["submission.submitted"])
    follower = threading.Thread(target=mailer.follow, args=(stop, 0.02))
    follower.start()
    try:
        submit(konkurs, "alpha", range(3))
        _wait_for(lambda: len(got) == 3)
    finally:
        stop.set()
        follower.join(5)
    assert not follower.is_alive()
    assert [e.data["reference"] for e in got] == ["alpha-0", "alpha-1", "alpha-2"]


def test_following_on_postgres_is_woken_by_each_commit(
    postgres_env: dict[str, str], views_db: ViewsDB
) -> None:
    konkurs = Konkurs(env=postgres_env)
    try:
        collecting(konkurs, "alpha")
        got: list[tuple[PublicEvent, float]] = []
        stop = threading.Event()
        mailer = ViewSubscriber(
            "mailer", lambda cursor, event: got.append((event, time.monotonic())),
            store=konkurs.store, views_db=views_db, names=["submission.submitted"])
        follower = threading.Thread(target=mailer.follow, args=(stop, 60.0))
        follower.start()
        try:
            time.sleep(0.5)  # listening by now; a 60 s poll would never be this quick
            for ref in range(3):
                saved = time.monotonic()
                submit(konkurs, "alpha", [str(ref)])
                _wait_for(lambda n=ref: len(got) == n + 1)
                assert got[-1][1] - saved < 2.0
        finally:
            stop.set()
            follower.join(5)
        assert not follower.is_alive()
        assert [e.data["reference"] for e, _ in got] == ["alpha-0", "alpha-1", "alpha-2"]
        # each submission's acceptance follows it, and is no event the mailer asked for
        assert mailer.position() == got[-1][0].position == konkurs.store.head_position() - 1
    finally:
        konkurs.close()


def _wait_for(condition: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_view_dropped_and_rewound_rebuilds_to_the_same_rows(konkurs: Konkurs, views_db: ViewsDB) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(5))
    dashboard = ViewSubscriber("dashboard", record_into_view, store=konkurs.store, views_db=views_db)
    dashboard.catch_up()
    before = seen(views_db)

    dashboard.rewind(0, drop=lambda cursor: cursor.execute("DELETE FROM seen"))
    assert seen(views_db) == [] and dashboard.position() == 0
    dashboard.catch_up()
    assert seen(views_db) == before
