"""A submission: one applicant's practice entered in one nomination."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from eventsourcing.domain import event
from pydantic import Field

from domain.errors import InvalidCommand
from domain.ids import submission_id
from domain.model import Aggregate, Value
from domain.regions import RegionCode
from domain.spec import ApplicantKind


class Applicant(Value):
    name: str = Field(min_length=1, max_length=500)
    kind: ApplicantKind
    region: RegionCode = Field(description="Two-digit region code")
    inn: str | None = Field(default=None, pattern=r"^(\d{10}|\d{12})$")
    municipality: str | None = Field(default=None, description="The municipality's OKTMO code")
    age: int | None = Field(
        default=None, ge=14, le=120,
        description="A person's age in full years on the day of submission; no birth date is kept",
    )


class Nominee(Value):
    """The person a personal nomination is about, put forward by the applicant (usually their
    organisation). The name is personal data and is sealed in the log like a person's."""

    name: str = Field(min_length=1, max_length=500)
    position: str = Field(min_length=1, max_length=500, description="The nominee's post")
    age: int | None = Field(
        default=None, ge=14, le=120,
        description="Full years on the day of submission; required where the nomination has an age rule",
    )


class Provenance(Value):
    """Where a promoted submission comes from: its regional stage, and its place and score there."""

    stage: str = Field(description="The regional stage's slug")
    region: RegionCode | None = None
    reference: str = Field(description="The submission's reference in the regional stage")
    place: int = Field(ge=1)
    score: float
    reviews: int = 0


class Material(Value):
    """A file attached to a submission, known by its content: the file itself lives outside the
    log, stored under its SHA-256."""

    name: str = Field(min_length=1, max_length=255)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    media_type: str = Field(min_length=1, max_length=255)


class SubmissionStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    PLACED = "placed"


class Submission(Aggregate):
    if TYPE_CHECKING:  # the @event decorators below create these classes
        Withdrawn: ClassVar[type[Aggregate.Event]]
        Admitted: ClassVar[type[Aggregate.Event]]
        Placed: ClassVar[type[Aggregate.Event]]
        MaterialAttached: ClassVar[type[Aggregate.Event]]
        Revised: ClassVar[type[Aggregate.Event]]
        Filed: ClassVar[type[Aggregate.Event]]

    class Submitted(Aggregate.Created):
        """Fields with defaults came later: a state stored before them reads with the default."""

        contest: str
        reference: str
        nomination: str
        title: str
        applicant: Applicant
        summary: str = ""
        provenance: Provenance | None = None
        conditions: tuple[str, ...] = Field(
            default=(), description="The codes of the spec's admission conditions the applicant confirms")
        draft: bool = Field(default=False, description="Saved, not filed yet: `submission.filed` files it")
        nominee: Nominee | None = None

    class Rejected(Aggregate.Event):
        reason: str
        reference: str | None = Field(
            default=None, description="The submission's reference; none in events recorded before it")

    @event(Submitted)
    def __init__(
        self, contest: str, reference: str, nomination: str, title: str, applicant: Applicant,
        summary: str = "", provenance: Provenance | None = None,
        conditions: tuple[str, ...] = (), draft: bool = False, nominee: Nominee | None = None,
    ) -> None:
        self.contest = contest
        self.reference = reference
        self.nomination = nomination
        self.title = title
        self.applicant = applicant
        self.summary = summary
        self.provenance = provenance
        self.nominee = nominee
        self.conditions = conditions
        self.status = SubmissionStatus.DRAFT if draft else SubmissionStatus.SUBMITTED
        self.rejection_reason: str | None = None
        self.place: int | None = None
        self.materials: list[Material] = []

    @staticmethod
    def create_id(contest: str, reference: str, **_: Any) -> Any:
        return submission_id(contest, reference)

    @property
    def is_draft(self) -> bool:
        return self.status == SubmissionStatus.DRAFT

    def revise(
        self, nomination: str, title: str, applicant: Applicant, summary: str = "",
        conditions: tuple[str, ...] = (), nominee: Nominee | None = None,
    ) -> bool:
        """Change a draft; the same content again changes nothing and answers False."""
        self._check_status(SubmissionStatus.DRAFT, "revise")
        if (nomination, title, applicant, summary, tuple(conditions), nominee) == (
                self.nomination, self.title, self.applicant, self.summary, tuple(self.conditions),
                self.nominee):
            return False
        self._revised(nomination=nomination, title=title, applicant=applicant, summary=summary,
                      conditions=tuple(conditions), nominee=nominee)
        return True

    @event("Revised")
    def _revised(
        self, nomination: str, title: str, applicant: Applicant, summary: str, conditions: tuple[str, ...],
        nominee: Nominee | None,
    ) -> None:
        self.nomination = nomination
        self.title = title
        self.applicant = applicant
        self.summary = summary
        self.conditions = conditions
        self.nominee = nominee

    def file(self) -> None:
        """File a draft: from now on it is a submission, screened, judged and counted."""
        self._check_status(SubmissionStatus.DRAFT, "file")
        self._filed()

    @event("Filed")
    def _filed(self) -> None:
        self.status = SubmissionStatus.SUBMITTED

    def withdraw(self, reason: str) -> None:
        self._check_status(SubmissionStatus.SUBMITTED, "withdraw")
        self._withdrawn(reason=reason)

    @event("Withdrawn")
    def _withdrawn(self, reason: str) -> None:
        self.status = SubmissionStatus.WITHDRAWN

    def admit(self) -> None:
        self._check_status(SubmissionStatus.SUBMITTED, "admit")
        self._admitted()

    @event("Admitted")
    def _admitted(self) -> None:
        self.status = SubmissionStatus.ADMITTED

    def reject(self, reason: str) -> None:
        self._check_status(SubmissionStatus.SUBMITTED, "reject")
        self._rejected(reason=reason, reference=self.reference)

    @event(Rejected)
    def _rejected(self, reason: str, reference: str | None = None) -> None:
        self.status = SubmissionStatus.REJECTED
        self.rejection_reason = reason

    def award_place(self, place: int, score: float) -> None:
        self._check_status(SubmissionStatus.ADMITTED, "place")
        self._placed(place=place, score=score)

    @event("Placed")
    def _placed(self, place: int, score: float) -> None:
        self.status = SubmissionStatus.PLACED
        self.place = place

    def attach(self, material: Material) -> bool:
        """Attach a file; the same content again changes nothing and answers False."""
        if any(m.sha256 == material.sha256 for m in self.materials):
            return False
        self._material_attached(material=material)
        return True

    @event("MaterialAttached")
    def _material_attached(self, material: Material) -> None:
        self.materials.append(material)

    def _check_status(self, expected: SubmissionStatus, action: str) -> None:
        if self.status != expected:
            raise InvalidCommand(
                f"cannot {action} submission {self.reference}: it is {self.status}"
            )
