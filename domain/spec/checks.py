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
    return [*_regions(spec), *_unique_codes(spec), *_phases(spec), *_schedule(spec),
            *_ages(spec), *_stages(spec), *_participation(spec), *_addressees(spec)]


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
    if not (spec.judging.enabled or spec.voting.enabled or spec.participation):
        # Without either, the outcome is the participation record: a marathon, not a contest.
        yield SpecProblem(("judging", "enabled"), "at least one of judging or voting must be enabled, "
                          "or a participation section whose record is the outcome")
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
        "collecting": "collection_closes",
        "materials": "materials_closes", "screening": "screening_closes",
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


def _ages(spec: ContestSpec) -> Iterator[SpecProblem]:
    for d_index, direction in enumerate(spec.directions):
        for n_index, nomination in enumerate(direction.nominations):
            path = ("directions", d_index, "nominations", n_index)
            limits = (nomination.min_age, nomination.max_age)
            if limits != (None, None) and nomination.kind != "person":
                yield SpecProblem((*path, "kind"),
                                  f"nomination {nomination.code} sets an age but is not kind: person")
            if None not in limits and limits[0] > limits[1]:  # type: ignore[operator]
                yield SpecProblem((*path, "max_age"),
                                  f"nomination {nomination.code}: max_age is below min_age")


def _stages(spec: ContestSpec) -> Iterator[SpecProblem]:
    if spec.promotion is not None:
        if spec.level != "regional":
            yield SpecProblem(("promotion",), "only a regional stage promotes to a federal stage")
        if spec.promotion.federal == spec.slug:
            yield SpecProblem(("promotion", "federal"), "a stage cannot promote into itself")
        yield from _places(spec, ("promotion", "places"), spec.promotion.places)
    stages = spec.regional_stages
    if stages is not None:
        if spec.level != "federal":
            yield SpecProblem(("regional_stages",), "only a federal stage declares regional stages")
        yield from _places(spec, ("regional_stages", "places"), stages.places)
        for field in ("slug", "title"):
            yield from _template(("regional_stages", field), getattr(stages, field))
        for index, organiser in enumerate(stages.organisers):
            yield from _template(("regional_stages", "organisers", index), organiser)
        if stages.regions != "all":
            for index, code in enumerate(stages.regions):
                if code not in REGION_CODES:
                    yield SpecProblem(("regional_stages", "regions", index),
                                      f"unknown region code {code!r}")


def _places(spec: ContestSpec, path: Path, places: list[int]) -> Iterator[SpecProblem]:
    for index, place in enumerate(places):
        if not 1 <= place <= spec.places_per_nomination:
            yield SpecProblem((*path, index), f"place {place} is not awarded: places run "
                              f"from 1 to {spec.places_per_nomination}")


def _template(path: Path, text: str) -> Iterator[SpecProblem]:
    try:
        text.format(region="00", region_name="")
    except (KeyError, IndexError, ValueError) as error:
        yield SpecProblem(path, f"bad template {text!r}: only {{region}} and {{region_name}} "
                                f"may be filled in ({error})")


def _participation(spec: ContestSpec) -> Iterator[SpecProblem]:
    drive = spec.participation
    if drive is None:
        return
    for code in drive.regions:
        if code not in REGION_CODES:
            yield SpecProblem(("participation", "regions", code), f"unknown region code {code!r}")
    if any(p.path[0] == "schedule" for p in _phases(spec)):
        return
    plan = spec.phase_plan()
    opens, closes = plan.windows[0].closes_at, plan.windows[1].closes_at
    for index, day in enumerate(drive.review.dates):
        moment = spec.local_moment(day, end_of_day=False)
        if not opens < moment < closes:
            yield SpecProblem(("participation", "review", "dates", index),
                              f"review on {day} falls outside collection; it would never run")


def _addressees(spec: ContestSpec) -> Iterator[SpecProblem]:
    listed = spec.announcement.addressees if spec.announcement else "regional_authorities"
    if listed == "regional_authorities":
        return
    for index, addressee in enumerate(listed):
        if addressee.region is not None and addressee.region not in REGION_CODES:
            yield SpecProblem(("announcement", "addressees", index, "region"),
                              f"unknown region code {addressee.region!r}")
