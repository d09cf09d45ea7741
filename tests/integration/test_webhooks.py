"""Webhooks against a receiver on loopback: signed POSTs, retries with backoff, dead letters
that do not hold up later events, and replay once the receiver is healthy again."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from domain.aggregates import Submission
from domain.contract import UnknownEventName
from projections import ViewsDB
from projections.webhook_delivery import RetryPolicy, replay
from projections.webhook_runner import WebhookRunner
from projections.webhooks import WebhookError, WebhookStore, new_webhook
from services.konkurs import Konkurs
from store.log import topic_of
from tests.feeds import collecting, submit
from tests.receiver import Receiver

SECRET = "s3cret-for-tests"
SECRETS_KEY = b"the deployment's secrets key, for tests"
TINY = RetryPolicy(attempts=4, backoff=0.01, cap=0.04, timeout=2)
SUBMITTED = "submission.submitted"


@pytest.fixture
def views_db(tmp_path: Path) -> ViewsDB:
    return ViewsDB(tmp_path / "views.db")


@pytest.fixture
def webhooks(views_db: ViewsDB) -> WebhookStore:
    return WebhookStore(views_db, SECRETS_KEY)


def last_submitted(konkurs: Konkurs) -> int:
    return max(logged.position for logged in konkurs.store.read_log([topic_of(Submission.Submitted)]))


def register(webhooks: WebhookStore, name: str, url: str, types: list[str],
             contest: str | None = None, start: int = 0) -> None:
    webhooks.add(new_webhook(name, url, types, contest, SECRET), start)


def test_a_receiver_failing_its_first_three_deliveries_gets_every_event_signed(
    konkurs: Konkurs, views_db: ViewsDB, webhooks: WebhookStore
) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(5))
    with Receiver(fail_first=3) as receiver:
        register(webhooks, "portal", receiver.url, [SUBMITTED, "contest.announced"])
        [outcome] = WebhookRunner(konkurs.store, webhooks, TINY).once()

    assert (outcome.delivered, outcome.dead_lettered) == (6, 0)
    assert outcome.position == last_submitted(konkurs)  # the import's acceptance follows, unsent
    assert len(receiver.attempts) == 6 + 3
    events = [post.event for post in receiver.received]
    assert [e["name"] for e in events] == ["contest.announced"] + [SUBMITTED] * 5
    assert [e["data"]["reference"] for e in events[1:]] == [f"alpha-{k}" for k in range(5)]
    assert all(post.signed_with(SECRET) for post in receiver.received)
    assert not receiver.received[0].signed_with("another secret")
    assert all(post.headers["X-Konkurs-Event"] == post.event["name"] for post in receiver.received)
    # Retries repeat the delivery id; each event has its own.
    assert {post.headers["X-Konkurs-Delivery"] for post in receiver.attempts[:4]} == {
        receiver.received[0].headers["X-Konkurs-Delivery"]}
    assert len({post.headers["X-Konkurs-Delivery"] for post in receiver.received}) == 6
    assert webhooks.dead_letters("portal") == []


def test_a_receiver_that_always_fails_ends_in_the_dead_letter_list_without_blocking(
    konkurs: Konkurs, views_db: ViewsDB, webhooks: WebhookStore
) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(3))
    with Receiver(fail_first=-1) as broken:
        register(webhooks, "broken", broken.url, [SUBMITTED])
        register(webhooks, "nobody-home", "http://127.0.0.1:9/", [SUBMITTED])
        outcomes = {o.webhook: o for o in WebhookRunner(konkurs.store, webhooks, TINY).once()}

    assert len(broken.attempts) == 3 * TINY.attempts
    assert broken.received == []
    for name in ("broken", "nobody-home"):
        assert outcomes[name].dead_lettered == 3
        assert outcomes[name].position == last_submitted(konkurs)
        letters = webhooks.dead_letters(name)
        assert [letter.event for letter in letters] == [SUBMITTED] * 3
        assert all(letter.attempts == TINY.attempts for letter in letters)
    assert "HTTP 500" in webhooks.dead_letters("broken")[0].error
    assert "refused" in webhooks.dead_letters("nobody-home")[0].error.lower()


def test_replay_redelivers_dead_letters_to_a_healed_receiver_and_clears_them(
    konkurs: Konkurs, views_db: ViewsDB, webhooks: WebhookStore
) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(3))
    with Receiver(fail_first=-1) as receiver:
        register(webhooks, "portal", receiver.url, [SUBMITTED])
        WebhookRunner(konkurs.store, webhooks, TINY).once()
        first, *rest = [letter.position for letter in webhooks.dead_letters("portal")]

        assert replay(webhooks, "portal", TINY, [first]) == (0, 1)
        assert webhooks.dead_letters("portal", [first])[0].attempts == 2 * TINY.attempts

        receiver.heal()
        assert replay(webhooks, "portal", TINY, [first]) == (1, 0)
        assert [letter.position for letter in webhooks.dead_letters("portal")] == rest
        assert replay(webhooks, "portal", TINY) == (2, 0)

    assert webhooks.dead_letters("portal") == []
    assert [post.event["position"] for post in receiver.received] == [first, *rest]
    assert all(post.signed_with(SECRET) for post in receiver.received)
    with pytest.raises(WebhookError, match="no dead letter at position 1"):
        replay(webhooks, "portal", TINY, [1])


def test_only_the_registered_types_of_the_registered_contest_are_posted(
    konkurs: Konkurs, views_db: ViewsDB, webhooks: WebhookStore
) -> None:
    for slug in ("alpha", "beta"):
        collecting(konkurs, slug)
    start = konkurs.store.head_position()
    submit(konkurs, "alpha", range(2))
    submit(konkurs, "beta", range(2))
    with Receiver() as receiver:
        register(webhooks, "alpha-only", receiver.url, [SUBMITTED], contest="alpha", start=start)
        WebhookRunner(konkurs.store, webhooks, TINY).once()
    assert [(p.event["contest"], p.event["data"]["reference"]) for p in receiver.received] == [
        ("alpha", "alpha-0"), ("alpha", "alpha-1")]


def test_the_loop_follows_new_events_and_picks_up_a_webhook_added_while_it_runs(
    konkurs: Konkurs, views_db: ViewsDB, webhooks: WebhookStore
) -> None:
    collecting(konkurs, "alpha")
    stop = threading.Event()
    with Receiver() as first, Receiver() as second:
        register(webhooks, "first", first.url, [SUBMITTED])
        runner = WebhookRunner(konkurs.store, webhooks, TINY, interval=0.02, refresh=0.05)
        loop = threading.Thread(target=runner.follow, args=(stop,))
        loop.start()
        try:
            submit(konkurs, "alpha", range(2))
            _wait_for(lambda: len(first.received) == 2)
            register(webhooks, "second", second.url, [SUBMITTED], start=konkurs.store.head_position())
            time.sleep(0.3)
            submit(konkurs, "alpha", range(2, 4))
            _wait_for(lambda: len(first.received) == 4 and len(second.received) == 2)
        finally:
            stop.set()
            loop.join(10)
    assert not loop.is_alive()
    assert [p.event["data"]["reference"] for p in second.received] == ["alpha-2", "alpha-3"]


def test_stopping_during_a_backoff_leaves_the_event_to_be_delivered_next_time(
    konkurs: Konkurs, views_db: ViewsDB, webhooks: WebhookStore
) -> None:
    collecting(konkurs, "alpha")
    submit(konkurs, "alpha", range(1))
    patient = RetryPolicy(attempts=3, backoff=30, cap=30, timeout=2)
    stop = threading.Event()
    with Receiver(fail_first=-1) as receiver:
        register(webhooks, "portal", receiver.url, [SUBMITTED])
        loop = threading.Thread(target=WebhookRunner(konkurs.store, webhooks, patient, refresh=0.05).follow,
                                args=(stop,))
        loop.start()
        _wait_for(lambda: len(receiver.attempts) == 1)
        stop.set()
        loop.join(10)
    assert not loop.is_alive()
    assert webhooks.dead_letters("portal") == []
    assert webhooks.position(webhooks.get("portal")) < konkurs.store.head_position()


def test_a_webhook_is_refused_with_a_line_that_says_why(webhooks: WebhookStore) -> None:
    with pytest.raises(WebhookError, match="http:// or https://"):
        register(webhooks, "portal", "ftp://example.org/hook", [SUBMITTED])
    with pytest.raises(WebhookError, match="lower-case letters"):
        register(webhooks, "Portal Hook", "https://example.org/hook", [SUBMITTED])
    with pytest.raises(UnknownEventName, match=r"submission\.submited"):
        register(webhooks, "portal", "https://example.org/hook", ["submission.submited"])
    register(webhooks, "portal", "https://example.org/hook", [SUBMITTED])
    with pytest.raises(WebhookError, match="exists"):
        register(webhooks, "portal", "https://example.org/other", [SUBMITTED])
    assert [w.name for w in webhooks.all()] == ["portal"]


def _wait_for(condition: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
