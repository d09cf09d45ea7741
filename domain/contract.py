"""The public event contract: a stable name, a schema version and a JSON form for every event.

A public name is `aggregate.event` in snake case, derived from the event class:
`Contest.PhaseChanged` → `contest.phase_changed`. An event name that repeats its aggregate's
name drops the repetition: `Announcement.AnnouncementIssued` → `announcement.issued`. The
version is the class's `class_version` (1 unless its shape changed; see `store/mapper.py`).
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

from eventsourcing.utils import get_topic
from pydantic import BaseModel, ConfigDict, Field

from domain.actors import Actor
from domain.errors import KonkursError
from domain.model import Aggregate

# Envelope fields: in PublicEvent's own fields, or internal to the store.
ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic", "actor"})
# Fields no service sees: a credential's hash stays with the store.
WITHHELD = frozenset({"secret_hash"})


class PublicEvent(BaseModel):
    """One event as services see it."""

    model_config = ConfigDict(frozen=True)

    position: int
    name: str
    version: int
    aggregate_id: UUID
    aggregate_version: int
    timestamp: datetime
    actor: Actor | None = Field(default=None, description="Who sent the command that wrote it")
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


def class_version(event_class: type) -> int:
    return int(getattr(event_class, "class_version", 1))


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
