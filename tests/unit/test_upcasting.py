"""An event whose shape changed still reads: old states are upcast on every read path."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event
from eventsourcing.persistence import StoredEvent

from domain.model import Aggregate
from projections.public_events import ContestSlugs, public_event
from services.konkurs import Konkurs
from store.log import topic_of
from tests.factories import OPERATOR


class Pledge(Aggregate):
    """A test-only aggregate whose one event is at version 3.

    v1 had no currency; v2 added `currency` (old pledges were in roubles); v3 renamed `comment`
    to `note`.
    """

    class Made(Aggregate.Created):
        class_version: ClassVar[int] = 3
        contest: str
        amount: int
        currency: str
        note: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["currency"] = "RUB"

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["note"] = state.pop("comment")

    @staticmethod
    def create_id(contest: str, note: str, **_: Any) -> UUID:
        return uuid5(NAMESPACE_URL, f"pledge/{contest}/{note}")

    @event(Made)
    def __init__(self, contest: str, amount: int, currency: str, note: str) -> None:
        self.contest = contest
        self.amount = amount
        self.currency = currency
        self.note = note


TOPIC = topic_of(Pledge.Made)
OLD_STATES = {
    1: {"contest": "c", "amount": 100, "comment": "first, before currencies"},
    2: {"contest": "c", "amount": 200, "currency": "EUR", "comment": "second", "class_version": 2},
}


def write_old_events(app: Konkurs) -> dict[int, UUID]:
    """Events as an older release of the code stored them."""
    ids = {version: uuid5(NAMESPACE_URL, f"old/{version}") for version in OLD_STATES}
    app.store.recorder.insert_events([
        StoredEvent(ids[version], 1, TOPIC, app.store.mapper.encode_state({  # type: ignore[attr-defined]
            "timestamp": "2024-05-01T10:00:00+00:00", "originator_topic": topic_of(Pledge), **state}))
        for version, state in OLD_STATES.items()
    ])
    return ids


def test_old_events_build_aggregates_in_the_current_shape(konkurs: Konkurs) -> None:
    ids = write_old_events(konkurs)
    first: Pledge = konkurs.store.repository.get(ids[1])
    second: Pledge = konkurs.store.repository.get(ids[2])
    assert (first.amount, first.currency, first.note) == (100, "RUB", "first, before currencies")
    assert (second.amount, second.currency, second.note) == (200, "EUR", "second")


def test_the_lean_log_reads_upcast_too(konkurs: Konkurs) -> None:
    write_old_events(konkurs)
    expected = [
        {"contest": "c", "amount": 100, "currency": "RUB", "note": "first, before currencies"},
        {"contest": "c", "amount": 200, "currency": "EUR", "note": "second"},
    ]
    logged = [{k: v for k, v in e.state.items() if k in expected[0]} for e in konkurs.store.read_log([TOPIC])]
    assert logged == expected
    states = [{k: v for k, v in state.items() if k in expected[0]}
              for _, state in konkurs.store.read_states(TOPIC)]
    assert states == expected


def test_public_events_report_the_current_version_and_shape(konkurs: Konkurs) -> None:
    write_old_events(konkurs)
    events = [public_event(e, ContestSlugs(konkurs.store)) for e in konkurs.store.read_log([TOPIC])]
    assert [(e.version, e.contest, e.data["note"]) for e in events] == [
        (3, "c", "first, before currencies"), (3, "c", "second")]
    assert "class_version" not in events[0].data


def test_new_events_are_stored_with_their_version_and_read_back_unchanged(konkurs: Konkurs) -> None:
    pledge = Pledge(contest="c", amount=5, currency="USD", note="new")
    konkurs.store.save(pledge, actor=OPERATOR)
    stored = konkurs.store.recorder.select_events(pledge.id)[0]
    assert konkurs.store.mapper.decode_state(stored.state)["class_version"] == 3  # type: ignore[attr-defined]
    again: Pledge = konkurs.store.repository.get(pledge.id)
    assert (again.currency, again.note) == ("USD", "new")
    (logged,) = konkurs.store.read_log([TOPIC])
    assert "class_version" not in logged.state
    assert logged.state["note"] == "new"
