"""The inputs and results that cross the workflow boundary: workflow, updates and activities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.phases import Phase, PhasePlan

TASK_QUEUE = "konkurs"


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class ContestInput(Model):
    slug: str
    spec: dict[str, Any] = Field(description="The validated spec, as JSON")
    plan: PhasePlan
    federal: ContestInput | None = Field(
        default=None, description="A regional stage: how to start its federal stage if need be"
    )

    @property
    def promotes(self) -> bool:
        return self.spec.get("promotion") is not None

    @property
    def nominations(self) -> list[str]:
        return [n["code"] for d in self.spec["directions"] for n in d["nominations"]]

    @property
    def reminder_days(self) -> int:
        return int(self.spec.get("judging", {}).get("reminder_days_before_close", 3))


class ContestResult(Model):
    slug: str
    final_phase: Phase


class ContestState(Model):
    slug: str
    phase: Phase
    plan: PhasePlan
    steps: list[str] = Field(default_factory=list, description="What the workflow did, in order")
    cancel_reason: str | None = None


class ExtendDeadline(Model):
    phase: Phase
    closes_at: datetime
    reason: str = ""


class ClosePhase(Model):
    phase: Phase
    reason: str = ""


class CancelContest(Model):
    reason: str




class PanelInput(Model):
    """One nomination's judging, run as a child of the contest's workflow."""

    slug: str
    nomination: str
    closes_at: datetime
    reminder_days: int


class PanelResult(Model):
    nomination: str
    reminders: int


class PromotionInput(Model):
    slug: str
    federal: ContestInput | None
    task_queue: str
    command_id: str


class PromotionReceipt(Model):
    stage: str
    references: list[str]


