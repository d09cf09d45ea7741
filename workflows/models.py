"""The inputs and results that cross the workflow boundary: workflow, updates and activities."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.actors import SignedActor
from domain.phases import Phase, PhasePlan
from domain.promotion import PromotionBatch

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
    sender: SignedActor = Field(description="Who announces it; the engine, when a promotion "
                                "starts a federal stage")

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


def purpose(command: str, slug: str, body: BaseModel) -> str:
    """What a sender's signature is for: this command, on this contest, with this very body."""
    return _purpose(command, slug, body.model_dump(mode="json", exclude={"sender"}))


def announcement_purpose(slug: str, spec: dict[str, Any], plan: PhasePlan) -> str:
    """What an announcement's sender signs: the contest, its spec and its plan. A regional stage's
    federal input is left out: a promotion re-signs that one when it starts the federal stage."""
    return _purpose("announce", slug, {"spec": spec, "plan": plan.model_dump(mode="json")})


def _purpose(command: str, slug: str, body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"{command}:{slug}:{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


class OperatorUpdate(Model):
    """An operator's Update: its validator refuses it without a sender who may send it, and its
    handler has the worker check the sender's signature before anything is written."""

    sender: SignedActor | None = Field(default=None, description="Who sends the Update, signed")


class ExtendDeadline(OperatorUpdate):
    phase: Phase
    closes_at: datetime
    reason: str = ""


class ClosePhase(OperatorUpdate):
    phase: Phase
    reason: str = ""
    force: bool = Field(default=False, description="Close judging although cards are still open; "
                        "needs a reason")


class CancelContest(OperatorUpdate):
    reason: str


class Promote(OperatorUpdate):
    """A regional stage's winners, handed to its federal stage."""

    batch: PromotionBatch


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


