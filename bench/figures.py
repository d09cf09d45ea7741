"""What every benchmark shares: timing a step and printing figures for people or as JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any


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
