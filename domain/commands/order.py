"""What every order and result shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from domain.actors import Actor


class Order(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Command(Order):
    """An order that changes state: it names who sends it, and every event it writes says so."""

    actor: Actor


class ContestOrder(Command):
    """An order on one contest that a retry must not repeat: concluding a phase, assigning."""

    slug: str
    command_id: str


class CommandResult(Order):
    applied: bool = Field(description="False when a retry found the command already recorded")


class Recorded(Order):
    recorded: int = Field(description="How many rows were written, the whole batch or nothing")
