"""The phase machine of a contest and the plan of its deadlines.

Pure values only: the workflow imports this module inside the sandbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from domain.errors import InvalidCommand
from domain.russian_dates import is_midnight, last_day


class Phase(StrEnum):
    ANNOUNCED = "announced"
    COLLECTING = "collecting"
    MATERIALS = "materials"  # only when the spec sets `materials_closes`: the second gate
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

    @property
    def intake_closer(self) -> Phase:
        """The phase whose close ends intake, after which screening is concluded: the materials
        gate when the plan has one, collection otherwise."""
        return Phase.MATERIALS if Phase.MATERIALS in self.phases else Phase.COLLECTING

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
MATERIAL_PHASES = (Phase.COLLECTING, Phase.MATERIALS)
"""Materials are attached while collecting and, where the spec sets a materials gate, until it."""


def utc_offset_name(value: datetime) -> str:
    """`UTC+3`, `UTC+5:30`, `UTC`: the moment's own offset, as the plan keeps no zone's name."""
    offset = int((value.utcoffset() or timedelta(0)).total_seconds()) // 60
    if not offset:
        return "UTC"
    hours, minutes = divmod(abs(offset), 60)
    return f"UTC{'-' if offset < 0 else '+'}{hours}" + (f":{minutes:02d}" if minutes else "")


def describe_moment(value: datetime) -> str:
    """A moment as operators read it, in its own offset: `18.06.2023 18:00 UTC+3`; a midnight is
    the end of the day before, which is how a date given for a moment reads
    (`the end of 18.06.2023 (24:00 UTC+3)`)."""
    if is_midnight(value):
        return f"the end of {last_day(value):%d.%m.%Y} (24:00 {utc_offset_name(value)})"
    return f"{value:%d.%m.%Y %H:%M} {utc_offset_name(value)}"


def describe_deadline(closes_at: datetime) -> str:
    """A deadline as operators say it: the last day it still admits, `until 18.06.2023 inclusive
    (24:00 UTC+3)` for one that closes at midnight, else `until 18.06.2023 18:00 UTC+3`."""
    if is_midnight(closes_at):
        return f"until {last_day(closes_at):%d.%m.%Y} inclusive (24:00 {utc_offset_name(closes_at)})"
    return f"until {closes_at:%d.%m.%Y %H:%M} {utc_offset_name(closes_at)}"


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
            f"new deadline ({describe_deadline(closes_at)}) is not after the current one "
            f"({describe_deadline(window.closes_at)})"
        )
    following = phases.index(phase) + 1
    if following < len(phases):
        nxt = plan.windows[following]
        if closes_at >= nxt.closes_at:
            raise InvalidCommand(
                f"new deadline ({describe_deadline(closes_at)}) would pass the {nxt.phase} deadline "
                f"({describe_deadline(nxt.closes_at)}); extend that one first"
            )
