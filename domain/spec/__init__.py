"""The contest spec: a YAML file an operator writes, validated into a `ContestSpec`."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from domain.phases import Phase, PhasePlan, PhaseWindow
from domain.rules.voter_ids import DEFAULT_VOTER_ID_RULE, VoterIdStep
from domain.spec.announcement import Announcement
from domain.spec.base import Code, SpecModel
from domain.spec.checks import SpecProblem, SpecProblems, cross_field_problems
from domain.spec.judging import Judging
from domain.spec.limits import Limits
from domain.spec.materials import Materials
from domain.spec.participation import Participation
from domain.spec.schedule import Moment, Schedule
from domain.spec.stages import Promotion, RegionalStages


class Level(StrEnum):
    FEDERAL = "federal"
    REGIONAL = "regional"
    MUNICIPAL = "municipal"


class NominationKind(StrEnum):
    PRACTICE = "practice"
    INITIATIVE = "initiative"  # a proposal, not yet a practice: a marathon counts them apart
    ORGANISATION = "organisation"
    PERSON = "person"


class ApplicantKind(StrEnum):
    STATE_INSTITUTION = "state_institution"
    MUNICIPAL_INSTITUTION = "municipal_institution"
    NGO = "ngo"
    BUSINESS = "business"
    REGIONAL_AUTHORITY = "regional_authority"
    MUNICIPALITY = "municipality"
    PERSON = "person"


class Nomination(SpecModel):
    code: Code
    title: str = Field(min_length=1)
    kind: NominationKind = NominationKind.PRACTICE
    min_age: int | None = Field(
        default=None, ge=14, le=100, description="Personal nominations: youngest age admitted"
    )
    max_age: int | None = Field(
        default=None, ge=14, le=100, description="Personal nominations: oldest age admitted"
    )


class Direction(SpecModel):
    code: Code
    title: str = Field(min_length=1)
    nominations: list[Nomination] = Field(min_length=1)


class AdmissionCondition(SpecModel):
    """A statement an applicant confirms by its code, e.g. that the practice is already running."""

    code: Code
    title: str = Field(min_length=1)


class Eligibility(SpecModel):
    applicant_kinds: list[ApplicantKind] = Field(min_length=1)
    regions: list[str] | None = Field(
        default=None, description="Region codes applicants must come from; none means all."
    )
    registry: str | None = Field(
        default=None, pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="A registry imported with `konkurs import registry`: applicants must be "
        "in it, by INN, on the day they submit.",
    )
    conditions: list[AdmissionCondition] = Field(
        default_factory=list,
        description="Statements an applicant must confirm, by code; screening rejects a "
        "submission that leaves one unconfirmed.",
    )

    @field_validator("conditions")
    @classmethod
    def _distinct_conditions(cls, value: list[AdmissionCondition]) -> list[AdmissionCondition]:
        codes = [c.code for c in value]
        if len(set(codes)) != len(codes):
            raise ValueError(f"duplicate admission condition codes in {codes}")
        return value


class Screening(SpecModel):
    enabled: bool = True
    on_arrival: bool = Field(
        default=False,
        description="Screen each submission as it is filed, in the same transaction, so its "
        "applicant sees the outcome at once; the close then decides only what is left.",
    )


class Voting(SpecModel):
    enabled: bool = False
    ballot: Literal["shortlist", "winners"] = Field(
        default="shortlist",
        description="shortlist: the top `shortlist_size` of the expert ranking; winners: the "
        "practices judging placed, places 1..places_per_nomination.",
    )
    ballots_per_voter_per_nomination: int = Field(default=1, ge=1)
    shortlist_size: int = Field(default=5, ge=1, description="Top K per nomination on the ballot.")
    award: Literal["none", "people_choice", "weighted"] = Field(
        default="people_choice",
        description="none: the vote awards nothing and moves no place, it measures which practices "
        "each region wants; people_choice: a separate award by votes; weighted: votes mix into places.",
    )
    voter_ids: tuple[VoterIdStep, ...] = Field(
        default=DEFAULT_VOTER_ID_RULE,
        description="How a voter id is normalised before its pseudonym is taken (docs/vote.md).",
    )
    public_weight: float = Field(default=0.3, ge=0, le=1)
    burst_factor: float = Field(
        default=5, gt=1, description="Report a minute with this many times the usual ballots."
    )
    max_ballots_per_region_per_minute: int = Field(
        default=1000, ge=1, description="Report a region-minute above this many ballots."
    )

    def ballot_size(self, places: int) -> int:
        """How many of each nomination's ranking are on the ballot, given its places."""
        if not self.enabled:
            return 0
        return places if self.ballot == "winners" else self.shortlist_size


class ContestSpec(SpecModel):
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    title: str = Field(min_length=1)
    organisers: list[str] = Field(min_length=1)
    level: Level
    region: str | None = None
    timezone: str = "Europe/Moscow"
    directions: list[Direction] = Field(min_length=1)
    schedule: Schedule
    eligibility: Eligibility
    screening: Screening = Screening()
    materials: Materials = Field(default_factory=Materials,
                                 description="What an applicant may attach to a submission")
    limits: Limits = Field(default_factory=Limits,
                           description="Most characters in a submission's title, summary and names")
    judging: Judging
    voting: Voting = Voting()
    places_per_nomination: int = Field(default=3, ge=1)
    promotion: Promotion | None = Field(
        default=None, description="A regional stage: the federal stage its winners advance to"
    )
    regional_stages: RegionalStages | None = Field(
        default=None, description="A federal stage: the template of its regional stages"
    )
    participation: Participation | None = None
    announcement: Announcement | None = None

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ContestSpec:
        problems = cross_field_problems(self)
        if self.screening.on_arrival and self.eligibility.registry is not None:
            # On arrival there is no close yet to read the registry at, and the audit could not
            # repeat a lookup made at each filing's own moment.
            problems.append(SpecProblem(("screening", "on_arrival"), "screening on arrival cannot "
                                        "check eligibility.registry, which is read as it stood at the close"))
        if self.materials.required and self.screening.on_arrival:
            problems.append(SpecProblem(("materials", "required"), "materials.required is checked when "
                                        "intake ends, which screening on arrival does not wait for"))
        if self.materials.required > self.materials.max_files:
            problems.append(SpecProblem(("materials", "required"), "materials.required is above max_files"))
        if problems:
            raise SpecProblems(problems)
        return self

    @property
    def nominations(self) -> list[Nomination]:
        return [n for d in self.directions for n in d.nominations]

    def nomination(self, code: str) -> Nomination | None:
        return next((n for n in self.nominations if n.code == code), None)

    def local_moment(self, value: Moment, *, end_of_day: bool) -> datetime:
        zone = ZoneInfo(self.timezone)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=zone)
        moment = datetime.combine(value, time.min, tzinfo=zone)
        return moment + timedelta(days=1) if end_of_day else moment

    def phase_plan(self) -> PhasePlan:
        """Each enabled phase with the moment it closes; bare dates close at the day's end."""
        s = self.schedule
        opens = s.collection_opens or s.announced
        candidates: list[tuple[Phase, Moment | None, bool]] = [
            (Phase.ANNOUNCED, opens, False),
            (Phase.COLLECTING, s.collection_closes, True),
            (Phase.MATERIALS, s.materials_closes, True),
            (Phase.SCREENING, s.screening_closes if self.screening.enabled else None, True),
            (Phase.JUDGING, s.judging_closes if self.judging.enabled else None, True),
            (Phase.VOTING, s.voting_closes if self.voting.enabled else None, True),
            (Phase.RESULTS, s.results_published, False),
        ]
        windows = [
            PhaseWindow(phase=phase, closes_at=self.local_moment(moment, end_of_day=end))
            for phase, moment, end in candidates
            if moment is not None
        ]
        return PhasePlan(windows=tuple(windows))

    def fingerprint(self) -> str:
        """A hash of what the spec says; fields left at their defaults do not count, so adding
        a field with a default to the model leaves every existing spec's fingerprint as it was."""
        said = self.model_dump(mode="json", exclude_defaults=True)
        canonical = json.dumps(said, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

