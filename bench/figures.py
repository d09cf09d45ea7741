"""What every benchmark shares: timing a step, printing figures for people or as JSON, and
moving a contest on by closing a phase, as the operator of the embedded default."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from domain.actors import LOCAL_OPERATOR
from domain.commands.contest import RecordPhaseChange
from domain.phases import Phase


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def report(figures: dict[str, float | bool], as_json: bool) -> None:
    """Rounded figures: one JSON object with --json, else one aligned line each."""
    rounded = {key: value if isinstance(value, bool) else round(value, 2) for key, value in figures.items()}
    if as_json:
        print(json.dumps(rounded))
        return
    width = max(map(len, rounded))
    for key, value in rounded.items():
        print(f"{key:>{width}}  {value:,}")


def close_phase(app: Any, slug: str, phase: Phase, command_id: str, cause: str = "bench") -> None:
    app.contests.change_phase(RecordPhaseChange(
        slug=slug, closed=phase, cause=cause, reason="", command_id=command_id, actor=LOCAL_OPERATOR))
