"""The phase machine of a contest and the plan of its deadlines.

Pure values only: the workflow imports this module inside the sandbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidCommand


class Phase(StrEnum):
    ANNOUNCED = "announced"
    COLLECTING = "collecting"
    SCREENING = "screening"
    JUDGING = "judging"
    VOTING = "voting"
    RESULTS = "results"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class PhaseWindow(BaseModel):
    """One phase of the plan and the moment it closes by itself."""

    model_config = ConfigDict(frozen=True)

    phase: Phase
    closes_at: datetime


class PhasePlan(BaseModel):
    """The phases a contest passes through, in order, each with its deadline."""

    model_config = ConfigDict(frozen=True)

    windows: tuple[PhaseWindow, ...]

    @property
    def phases(self) -> list[Phase]:
        return [window.phase for window in self.windows]

    def window(self, phase: Phase) -> PhaseWindow:
        for window in self.windows:
            if window.phase == phase:
                return window
        raise KeyError(phase)

    def next_phase(self, phase: Phase) -> Phase:
        phases = self.phases
        index = phases.index(phase)
        return phases[index + 1] if index + 1 < len(phases) else Phase.CLOSED

    def with_deadline(self, phase: Phase, closes_at: datetime) -> PhasePlan:
        return PhasePlan(
            windows=tuple(
                PhaseWindow(phase=w.phase, closes_at=closes_at) if w.phase == phase else w
                for w in self.windows
            )
        )

    def shifted(self, delta: timedelta) -> PhasePlan:
        return PhasePlan(
            windows=tuple(
                PhaseWindow(phase=w.phase, closes_at=w.closes_at + delta) for w in self.windows
            )
        )


TERMINAL_PHASES = frozenset({Phase.CLOSED, Phase.CANCELLED})


def check_extension(plan: PhasePlan, current: Phase, phase: Phase, closes_at: datetime) -> None:
    """A deadline may move later, for the current phase or one still ahead, up to the next one."""
    phases = plan.phases
    if phase not in phases:
        raise InvalidCommand(f"phase {phase} is not part of this contest")
    if current not in phases or phases.index(phase) < phases.index(current):
        raise InvalidCommand(f"phase {phase} is already over (contest is {current})")
    window = plan.window(phase)
    if closes_at <= window.closes_at:
        raise InvalidCommand(
            f"new deadline {closes_at.isoformat()} is not after the current one "
            f"{window.closes_at.isoformat()}"
        )
    following = phases.index(phase) + 1
    if following < len(phases):
        nxt = plan.windows[following]
        if closes_at >= nxt.closes_at:
            raise InvalidCommand(
                f"new deadline {closes_at.isoformat()} would pass the {nxt.phase} deadline "
                f"{nxt.closes_at.isoformat()}; extend that one first"
            )
