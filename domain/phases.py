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


def describe_moment(value: datetime) -> str:
    """A deadline as operators say it: local time, a midnight shown as 24:00 of the day before
    ("until 18 June" closes at 2023-06-18 24:00), and the UTC offset."""
    offset = value.utcoffset() or timedelta(0)
    hours, minutes = divmod(int(offset.total_seconds()) // 60, 60)
    zone = f"UTC{hours:+d}" + (f":{minutes:02d}" if minutes else "") if offset else "UTC"
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return f"{value - timedelta(days=1):%Y-%m-%d} 24:00 {zone}"
    return f"{value:%Y-%m-%d %H:%M} {zone}"


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
            f"new deadline {describe_moment(closes_at)} is not after the current one "
            f"{describe_moment(window.closes_at)}"
        )
    following = phases.index(phase) + 1
    if following < len(phases):
        nxt = plan.windows[following]
        if closes_at >= nxt.closes_at:
            raise InvalidCommand(
                f"new deadline {describe_moment(closes_at)} would pass the {nxt.phase} deadline "
                f"{describe_moment(nxt.closes_at)}; extend that one first"
            )
