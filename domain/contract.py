"""The public event contract: a stable name, a schema version and a JSON form for every event.

A public name is `aggregate.event` in snake case, derived from the event class:
`Contest.PhaseChanged` → `contest.phase_changed`. An event name that repeats its aggregate's
name drops the repetition: `Announcement.AnnouncementIssued` → `announcement.issued`. The
version is the class's `class_version` (1 unless its shape changed; see `domain/mapper.py`).
Stored topics are not part of the contract and never change.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic, resolve_topic
from pydantic import BaseModel, ConfigDict

from domain.aggregates import Contest
from domain.application import LoggedEvent, StoreApplication
from domain.errors import KonkursError
from domain.mapper import class_version
from domain.model import Aggregate

# Envelope fields: in PublicEvent's own fields, or internal to the store.
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


class PublicEvent(BaseModel):
    """One event as services see it."""

    model_config = ConfigDict(frozen=True)

    position: int
    name: str
    version: int
    aggregate_id: UUID
    aggregate_version: int
    timestamp: datetime
    contest: str | None
    data: dict[str, Any]


class UnknownEventName(KonkursError):
    """An event type that the contract does not name."""


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def public_name(event_class: type) -> str:
    aggregate, event = event_class.__qualname__.split(".")[-2:]
    prefix, suffix = snake(aggregate), snake(event)
    if suffix.startswith(prefix + "_"):
        suffix = suffix[len(prefix) + 1:]
    return f"{prefix}.{suffix}"


schema_version = class_version


EventClass = type[Aggregate.Event]


def aggregate_events(aggregate: type) -> list[EventClass]:
    """The event classes an aggregate records, in definition order.

    Each aggregate also gets an `Event` base and a `Created` class from the library; `Created`
    is recorded only when no named creation event replaces it.
    """
    found = [
        value for key, value in vars(aggregate).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event) and key != "Event"
    ]
    named_creations = [c for c in found if issubclass(c, Aggregate.Created) and c.__name__ != "Created"]
    return [c for c in found if not (c.__name__ == "Created" and named_creations)]


def domain_aggregates() -> list[type]:
    import domain.aggregates as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return sorted(set(_subclasses(Aggregate, package.__name__)), key=lambda c: c.__qualname__)


def _subclasses(base: type, package: str) -> Iterator[type]:
    subclasses: list[type] = base.__subclasses__()
    for sub in subclasses:
        if sub.__module__.startswith(package + "."):
            yield sub
        yield from _subclasses(sub, package)


@cache
def event_classes() -> dict[str, EventClass]:
    """Public name → event class, for every event of the domain's aggregates."""
    named: dict[str, EventClass] = {}
    for aggregate in domain_aggregates():
        for event_class in aggregate_events(aggregate):
            name = public_name(event_class)
            if name in named:
                raise RuntimeError(f"{get_topic(event_class)} and {get_topic(named[name])} "
                                   f"would both be named {name}")
            named[name] = event_class
    return named


def event_names() -> list[str]:
    return list(event_classes())


def check_names(names: Iterable[str]) -> list[str]:
    """The names, or an error naming the first unknown one and its near matches."""
    known = event_classes()
    checked = list(names)
    for name in checked:
        if name not in known:
            near = [n for n in known if name and name in n][:3] or difflib.get_close_matches(
                name, known, n=3, cutoff=0.7)
            hint = f"; did you mean {', '.join(near)}?" if near else "; `konkurs events types` lists them"
            raise UnknownEventName(f"unknown event type {name!r}{hint}")
    return checked


def topics_for(names: Iterable[str]) -> list[str]:
    known = event_classes()
    return [get_topic(known[name]) for name in check_names(names)]


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
        for stored in self._app.recorder.select_events(aggregate_id, lte=1):
            first = self._app.mapper.decode_state(  # type: ignore[attr-defined]
                stored.state, stored.topic)
            found = first.get("contest", first.get("slug"))
            return found if isinstance(found, str) else None
        return None


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
        contest=slugs.of(logged),
        data={k: v for k, v in logged.state.items() if k not in ENVELOPE},
    )
