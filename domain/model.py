"""Base classes: aggregates whose events are frozen pydantic models."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate
from pydantic import BaseModel, ConfigDict

from domain.actors import Actor
from domain.value import Value

__all__ = ["Aggregate", "DomainEvent", "Value"]


class DomainEvent(BaseModel):
    """`actor` is who sent the command that wrote the event; the store sets it as it saves,
    and it is None only in events recorded before actors were."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime
    actor: Actor | None = None


class Aggregate(BaseAggregate[UUID]):
    class Event(DomainEvent, CanMutateAggregate[UUID]):
        pass

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str

