"""Base classes: aggregates whose events are frozen pydantic models."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate
from pydantic import BaseModel, ConfigDict


class DomainEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    originator_id: UUID
    originator_version: int
    timestamp: datetime


class Aggregate(BaseAggregate[UUID]):
    class Event(DomainEvent, CanMutateAggregate[UUID]):
        pass

    class Created(Event, CanInitAggregate[UUID]):
        originator_topic: str


class Value(BaseModel):
    """An immutable value carried inside events."""

    model_config = ConfigDict(frozen=True, extra="forbid")
