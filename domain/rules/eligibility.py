"""Who may enter: screening decides with these rules, never with hidden state.

Each rule gives an `Ineligibility`: a stable `kind` that screening counts by, and the `reason`
recorded on the rejected submission.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from domain.aggregates.submission import Applicant
from domain.spec import ContestSpec, Level, Nomination

NOT_IN_REGISTRY = "not in registry"
CONDITION_NOT_CONFIRMED = "admission condition not confirmed"


class Ineligibility(NamedTuple):
    kind: str
    reason: str


class Membership(NamedTuple):
    """A registry entry's span: a member from `entered_on` up to, not including, `removed_on`."""

    entered_on: date
    removed_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.entered_on <= day and (self.removed_on is None or day < self.removed_on)


Registry = Mapping[str, Membership]  # by INN


def submission_day(recorded_at: datetime, timezone: str) -> date:
    """The calendar day, in the contest's timezone, on which a submission was recorded."""
    return recorded_at.astimezone(ZoneInfo(timezone)).date()


def ineligibility(
    spec: ContestSpec, nomination: str, applicant: Applicant,
    submitted_on: date | None = None, registry: Registry | None = None,
    confirmed: Iterable[str] = (),
) -> Ineligibility | None:
    """Why an entry may not compete, or None. A spec with a registry rule needs the day of
    submission and the memberships of the applicants' INNs in that registry; `confirmed` are
    the admission conditions the applicant confirms, by code."""
    entered = spec.nomination(nomination)
    if entered is None:
        return Ineligibility("unknown nomination", f"unknown nomination {nomination}")
    if applicant.kind not in spec.eligibility.applicant_kinds:
        return Ineligibility("applicant kind not admitted",
                             f"applicant kind {applicant.kind.value} not admitted")
    regions = admitted_regions(spec)
    if regions is not None and applicant.region not in regions:
        return Ineligibility("region outside the contest", f"region {applicant.region} outside the contest")
    if spec.eligibility.registry is not None:
        if submitted_on is None or registry is None:
            raise ValueError(f"the registry rule of {spec.slug} needs the day and the registry")
        found = registry_ineligibility(spec.eligibility.registry, applicant, submitted_on, registry)
        if found:
            return found
    return condition_ineligibility(spec, confirmed) or age_ineligibility(entered, applicant)


def condition_ineligibility(spec: ContestSpec, confirmed: Iterable[str]) -> Ineligibility | None:
    """The first of the spec's admission conditions the applicant has not confirmed."""
    given = set(confirmed)
    for condition in spec.eligibility.conditions:
        if condition.code not in given:
            return Ineligibility(CONDITION_NOT_CONFIRMED,
                                 f"admission condition {condition.code} not confirmed: {condition.title}")
    return None


def ineligibility_reason(
    spec: ContestSpec, nomination: str, applicant: Applicant,
    submitted_on: date | None = None, registry: Registry | None = None,
) -> str | None:
    found = ineligibility(spec, nomination, applicant, submitted_on, registry)
    return found.reason if found else None


def admitted_regions(spec: ContestSpec) -> list[str] | None:
    """Regions applicants may come from; None admits all. A regional or municipal contest
    admits its own region unless `eligibility.regions` says otherwise."""
    if spec.eligibility.regions is not None:
        return spec.eligibility.regions
    if spec.level != Level.FEDERAL and spec.region:
        return [spec.region]
    return None


def registry_ineligibility(
    name: str, applicant: Applicant, day: date, registry: Registry
) -> Ineligibility | None:
    if applicant.inn is None:
        return Ineligibility("no INN", f"no INN to look up in registry {name}")
    membership = registry.get(applicant.inn)
    if membership is None or not membership.covers(day):
        return Ineligibility(NOT_IN_REGISTRY, f"{NOT_IN_REGISTRY} on {day.isoformat()}")
    return None


def age_ineligibility(nomination: Nomination, applicant: Applicant) -> Ineligibility | None:
    """Age limits are inclusive: `max_age: 35` admits a person of 35 full years."""
    low, high = nomination.min_age, nomination.max_age
    if low is None and high is None:
        return None
    age = applicant.age
    if age is None:
        return Ineligibility("age not given", f"no age given for nomination {nomination.code}, "
                             f"which admits ages {_span(low, high)}")
    if low is not None and age < low:
        return Ineligibility("below the minimum age",
                             f"age {age} below the minimum {low} of nomination {nomination.code}")
    if high is not None and age > high:
        return Ineligibility("above the maximum age",
                             f"age {age} above the maximum {high} of nomination {nomination.code}")
    return None


def _span(low: int | None, high: int | None) -> str:
    if low is None:
        return f"up to {high}"
    return f"from {low}" if high is None else f"{low} to {high}"


def lateness(position: int, closed_at: int) -> Ineligibility | None:
    """Log order decides lateness: an entry counts only if recorded before the close."""
    if position > closed_at:
        return Ineligibility("recorded after collection closed",
                             f"recorded after collection closed (position {position} > {closed_at})")
    return None


def late_reason(position: int, closed_at: int) -> str | None:
    found = lateness(position, closed_at)
    return found.reason if found else None
