"""Events as services see them: the public form of a logged event, with the contest it belongs to."""

from __future__ import annotations

from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic, resolve_topic

from domain.aggregates import Contest
from domain.contract import ENVELOPE, WITHHELD, PublicEvent, aggregate_events, public_name, schema_version
from store.application import StoreApplication
from store.log import LoggedEvent


class ContestSlugs:
    """Which contest an event belongs to, for events that do not carry the slug themselves.

    Only an aggregate's first event names its contest (`Contest.Announced` its slug, the others
    `contest`); later events are resolved by reading that first event once, and cached.
    """

    LIMIT = 200_000

    def __init__(self, app: StoreApplication) -> None:
        self._app = app
        self._known: dict[UUID, str | None] = {}

    def of(self, logged: LoggedEvent) -> str | None:
        says, own = _own_contest(logged.state, logged.topic)
        if not says:
            if logged.originator_id not in self._known:
                self._remember(logged.originator_id, self._read_contest(logged.originator_id))
            return self._known[logged.originator_id]
        if logged.originator_version == 1 and _has_later_events(logged.topic):
            self._remember(logged.originator_id, own)
        return own

    def _remember(self, aggregate_id: UUID, slug: str | None) -> None:
        if len(self._known) >= self.LIMIT:
            self._known.clear()
        self._known[aggregate_id] = slug

    def _read_contest(self, aggregate_id: UUID) -> str | None:
        first = self._app.reader.first_state(aggregate_id)
        found = None if first is None else first.get("contest", first.get("slug"))
        return found if isinstance(found, str) else None


def _own_contest(state: dict[str, Any], topic: str) -> tuple[bool, str | None]:
    """Whether the event itself says which contest it belongs to, and which."""
    if "contest" in state:
        return True, state["contest"]
    if "slug" in state and topic == ANNOUNCED_TOPIC:
        return True, state["slug"]
    # A first event that names no contest belongs to none: a registry entry, a roster.
    return "originator_topic" in state, None


ANNOUNCED_TOPIC = get_topic(Contest.Announced)


@cache
def _has_later_events(topic: str) -> bool:
    """Whether the aggregate of this (first) event records more events: ballots do not."""
    return len(aggregate_events(resolve_topic(topic.rsplit(".", 1)[0]))) > 1


@cache
def _name_and_version(topic: str) -> tuple[str, int]:
    event_class = resolve_topic(topic)
    return public_name(event_class), schema_version(event_class)


def public_event(logged: LoggedEvent, slugs: ContestSlugs) -> PublicEvent:
    """`logged.state` is already upcast to the current version by the mapper."""
    name, version = _name_and_version(logged.topic)
    return PublicEvent(
        position=logged.position,
        name=name,
        version=version,
        aggregate_id=logged.originator_id,
        aggregate_version=logged.originator_version,
        timestamp=logged.state["timestamp"],
        actor=logged.state.get("actor"),
        contest=slugs.of(logged),
        data={k: v for k, v in logged.state.items() if k not in ENVELOPE and k not in WITHHELD},
    )
