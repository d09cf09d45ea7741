"""Checks that span several fields of a spec, each pinned to the field an operator must fix."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from domain.regions import REGION_CODES

if TYPE_CHECKING:
    from domain.spec import ContestSpec

Path = tuple[Any, ...]


class SpecProblem(ValueError):
    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


class SpecProblems(ValueError):
    """All cross-field problems at once, so an operator fixes them in one pass."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def cross_field_problems(spec: ContestSpec) -> list[SpecProblem]:
    return [*_regions(spec), *_unique_codes(spec), *_phases(spec), *_schedule(spec)]


def _regions(spec: ContestSpec) -> Iterator[SpecProblem]:
    if spec.level != "federal" and not spec.region:
        yield SpecProblem(("level",), f"a {spec.level} contest must name its region")
    if spec.region and spec.region not in REGION_CODES:
        yield SpecProblem(("region",), f"unknown region code {spec.region!r}; e.g. '75'")
    for index, code in enumerate(spec.eligibility.regions or []):
        if code not in REGION_CODES:
            yield SpecProblem(("eligibility", "regions", index), f"unknown region code {code!r}")


def _unique_codes(spec: ContestSpec) -> Iterator[SpecProblem]:
    directions: set[str] = set()
    nominations: set[str] = set()
    for d_index, direction in enumerate(spec.directions):
        if direction.code in directions:
            yield SpecProblem(("directions", d_index, "code"),
                              f"duplicate direction code {direction.code!r}")
        directions.add(direction.code)
        for n_index, nomination in enumerate(direction.nominations):
            if nomination.code in nominations:
                yield SpecProblem(("directions", d_index, "nominations", n_index, "code"),
                                  f"duplicate nomination code {nomination.code!r}")
            nominations.add(nomination.code)


def _phases(spec: ContestSpec) -> Iterator[SpecProblem]:
    if not (spec.judging.enabled or spec.voting.enabled):
        yield SpecProblem(("judging", "enabled"), "at least one of judging or voting must be enabled")
    needed = {
        "screening_closes": spec.screening.enabled,
        "judging_closes": spec.judging.enabled,
        "voting_closes": spec.voting.enabled,
    }
    for field, enabled in needed.items():
        if enabled and getattr(spec.schedule, field) is None:
            yield SpecProblem(("schedule",), f"schedule.{field} is required when that phase is enabled")


def _schedule(spec: ContestSpec) -> Iterator[SpecProblem]:
    if any(p.path == ("schedule",) for p in _phases(spec)):
        return
    fields = {
        "announced": "collection_opens" if spec.schedule.collection_opens else "announced",
        "collecting": "collection_closes", "screening": "screening_closes",
        "judging": "judging_closes", "voting": "voting_closes", "results": "results_published",
    }
    windows = spec.phase_plan().windows
    for earlier, later in pairwise(windows):
        if later.closes_at < earlier.closes_at:
            yield SpecProblem(
                ("schedule", fields[later.phase]),
                f"{later.phase} closes ({later.closes_at:%Y-%m-%d %H:%M}) before {earlier.phase} "
                f"({earlier.closes_at:%Y-%m-%d %H:%M})",
            )
